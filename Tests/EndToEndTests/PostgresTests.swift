import BriefingModel
import BriefingServer
import BriefingStore
import BriefingTestSupport
import Foundation
import Logging
import Synchronization
import SyncClient
import SyncServerCore
import SyncServerPostgres
import Testing

/// The PostgreSQL store for real, on a throwaway cluster: its schema, several nodes on one
/// database, the race that a naive sequence would lose, and a restart of PostgreSQL itself.
@Suite("PostgreSQL", .timeLimit(.minutes(10)))
struct PostgresTests {
    static func node(_ url: String, connections: Int = 6) async throws -> SyncService {
        var logger = Logger(label: "test.node")
        logger.logLevel = .warning
        return SyncService(
            store: try await ServerDatabase.open(url, maxConnections: connections, logger: logger),
            configuration: .init(bcryptCost: 4, loginPolicy: .unlimited), logger: logger)
    }

    @Test("Schemas/server.postgres.sql is exactly the schema the migrations make")
    func schemaFileMatchesMigrations() async throws {
        let cluster = try await PostgresCluster.shared()
        let migrated = try await cluster.createDatabase()
        let node = try await Self.node(migrated)
        #expect(try await (node.store as? PostgresServerStore)?.appliedMigrations() == ["v1", "v2-record-origin", "v3-publications", "v4-device-subscriptions", "v5-bodies-by-revision", "v6-briefing-metadata"])
        await node.store.close()
        let fromFile = try await cluster.createDatabase()
        let file = try String(contentsOf: SchemaFiles.packageRoot.appendingPathComponent("Schemas/server.postgres.sql"), encoding: .utf8)
        _ = try await cluster.psql(file, database: Self.name(fromFile))
        let migratedSchema = try await Self.describeSchema(cluster, Self.name(migrated))
        #expect(!migratedSchema.isEmpty)
        #expect(migratedSchema == (try await Self.describeSchema(cluster, Self.name(fromFile))))
    }

    @Test("The upgrade to kept metadata (v6) fills it in for live and withdrawn briefings, and for nothing else")
    func metadataBackfill() async throws {
        let cluster = try await PostgresCluster.shared()
        let url = try await cluster.createDatabase()
        let node = try await Self.node(url)
        let live = Briefing.assemble(id: "live", title: "Live", sections: [(nil, ["A live paragraph."])])
        let gone = Briefing.assemble(id: "gone", title: "Gone", publication: "North Review", sections: [(nil, ["A withdrawn paragraph."])])
        try await node.publish(live, editorial: [])
        try await node.publish(gone, editorial: [])
        try await node.withdraw(briefingID: "gone")
        // A briefing moved away leaves a departure mark; a deleted one a tombstone.
        try await node.publish(
            Briefing.assemble(id: "moved", title: "Moved", publication: "North Review", sections: [(nil, ["It moves."])]), editorial: [])
        try await node.publish(
            Briefing.assemble(id: "moved", revisionNumber: 2, title: "Moved", publication: "South Papers", sections: [(nil, ["It moved."])]),
            editorial: [])
        await node.store.close()
        // Back to the schema before v6, with the rows as they were.
        let database = Self.name(url)
        _ = try await cluster.psql(
            "ALTER TABLE record DROP COLUMN meta; DELETE FROM schema_migration WHERE name = 'v6-briefing-metadata';", database: database)
        let upgraded = try await Self.node(url)
        await upgraded.store.close()
        let rows = try await cluster.psql(
            "SELECT owner || '|' || id || '|' || coalesce(meta, 'NULL') FROM record WHERE kind = 'briefing' ORDER BY owner, id",
            database: database
        ).split(separator: "\n").map(String.init)
        func meta(_ owner: String, _ id: String) throws -> BriefingMetadata? {
            guard let row = rows.first(where: { $0.hasPrefix("\(owner)|\(id)|") }) else { return nil }
            let text = String(row.dropFirst(owner.count + id.count + 2))
            return text == "NULL" ? nil : try CanonicalJSON.decode(BriefingMetadata.self, text)
        }
        #expect(try meta("", "live") == live.metadata)
        #expect(try meta("", "gone") == gone.metadata, "a withdrawn briefing keeps its metadata, for a restore")
        #expect(try meta("", "moved")?.revision.number == 2)
        #expect(rows.contains { $0.hasPrefix("-") && $0.hasSuffix("|moved|NULL") }, "a departure mark has none: \(rows)")
    }

    static func name(_ url: String) -> String {
        String(URLComponents(string: url)!.path.dropFirst())
    }

    /// Every column, index and constraint of the public schema, as the catalog states them.
    static func describeSchema(_ cluster: PostgresCluster, _ database: String) async throws -> [String] {
        try await cluster.psql(
            """
            SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
              FROM information_schema.columns WHERE table_schema = 'public'
            UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
            UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
              FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            ORDER BY 1
            """, database: database
        ).split(separator: "\n").map(String.init)
    }

    @Test("A token issued by one node works on another, and a revocation on one is refused by the other at once")
    func tokensAcrossNodes() async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let a = try await Self.node(url), b = try await Self.node(url)
        try await DemoContent.load(into: a)
        let session = try await a.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: "phone")
        let onA = try await a.authenticate(token: session.token)
        let onB = try await b.authenticate(token: session.token)
        #expect(onA == onB)
        // Revoked on one node, refused on the other at once: nothing is cached per node.
        try await b.revoke(onB)
        await #expect(throws: SyncError.self) { try await a.authenticate(token: session.token) }
        await a.store.close()
        await b.store.close()
    }

    @Test(
        "No change is ever skipped: writers push on two nodes while readers pull from both, and every reader ends with every acknowledged change"
    )
    func noChangeSkipped() async throws {
        let url = try await PostgresCluster.shared().createDatabase()
        let nodes = [try await Self.node(url, connections: 8), try await Self.node(url, connections: 8)]
        try await DemoContent.load(into: nodes[0])
        let briefing = try #require(try await nodes[0].store.briefing(id: "grid-storage-winter"))
        let words = briefing.paragraphs[0].text.split(separator: " ").prefix(3).joined(separator: " ")
        let anchor = try briefing.anchor(quote: words, occurrence: 1)
        func principal(_ index: Int) async throws -> Principal {
            let node = nodes[index % 2]
            let session = try await node.createSession(user: DemoContent.user, password: DemoContent.password, deviceName: "d\(index)")
            return try await node.authenticate(token: session.token)
        }
        let writers = 6, batches = 30, batchSize = 4
        var principals: [Principal] = []
        for index in 0..<(writers + 3) { principals.append(try await principal(index)) }
        let writerPrincipals = Array(principals.prefix(writers)), readerPrincipals = Array(principals.dropFirst(writers))
        let millis = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        let editorNotes = 120
        let progress = RaceProgress(writers: writers + 1)

        // Writers answer nil; readers, the IDs they saw.
        try await withThrowingTaskGroup(of: Set<String>?.self) { group in
            for (w, writer) in writerPrincipals.enumerated() {
                group.addTask {
                    defer { progress.writing.withLock { $0 -= 1 } }
                    var next: Int64 = 1
                    for batch in 0..<batches {
                        let mutations = (0..<batchSize).map { _ in
                            defer { next += 1 }
                            return Mutation(
                                mutationID: next, kind: .highlight, id: "H-\(w)-\(next)", op: .upsert,
                                hlc: HLC(wallMillis: millis + next, counter: 0, node: writer.deviceID),
                                fields: ["briefingID": .string(briefing.id), "anchor": .anchor(anchor), "color": .string("yellow")])
                        }
                        // Each batch through the other node than the last.
                        let node = nodes[(w + batch) % 2]
                        let results = try await node.push(writer, clientID: writer.deviceID, mutations: mutations)
                        #expect(results.allSatisfy { $0.status == .applied })
                        progress.acknowledged.withLock { $0.formUnion(mutations.map(\.id)) }
                    }
                    return nil
                }
            }
            // An editor publishes on both nodes meanwhile: content is in every reader's scope
            // but written under other locks than the readers' account, so its numbers and the
            // pushes' interleave.
            group.addTask {
                defer { progress.writing.withLock { $0 -= 1 } }
                for index in 0..<editorNotes {
                    let note = EditorialAnnotation(
                        id: "ed-race-\(index)", briefingID: briefing.id, kind: .note, anchor: anchor, text: "Note \(index)", origin: .editor)
                    try await nodes[index % 2].kernel.addEditorial(note, now: Date())
                    progress.acknowledged.withLock { _ = $0.insert(note.id) }
                }
                return nil
            }
            for (r, reader) in readerPrincipals.enumerated() {
                group.addTask {
                    var seen: Set<String> = []
                    var cursor: String?
                    var turn = r
                    var draining = false
                    while true {
                        // Once every writer has finished, one more pass reads what is left.
                        if !draining && progress.writing.withLock({ $0 == 0 }) { draining = true }
                        let page = try await nodes[turn % 2].pull(reader, cursor: cursor, limit: 7)
                        turn += 1
                        for change in page.changes where change.kind == .highlight || change.id.hasPrefix("ed-race-") {
                            seen.insert(change.id)
                        }
                        cursor = page.cursor.token
                        if draining && !page.hasMore { return seen }
                        if page.changes.isEmpty { await Task.yield() }
                    }
                }
            }
            let expected = writers * batches * batchSize + editorNotes
            var readers = 0
            for try await outcome in group {
                guard let seen = outcome else { continue }
                readers += 1
                let all = progress.acknowledged.withLock { $0 }
                #expect(all.count == expected)
                let missed = all.subtracting(seen)
                #expect(missed.isEmpty, "a reader missed \(missed.count) of \(all.count) acknowledged changes, such as \(missed.sorted().prefix(5))")
                #expect(seen.isSubset(of: all))
            }
            #expect(readers == 3)
        }
        for node in nodes { await node.store.close() }
    }

    @Test("A restart of PostgreSQL itself, even a crash, loses nothing acknowledged and nothing pending; the server carries on")
    func postgresRestart() async throws {
        // A cluster of this test's own: restarting the shared one would break the others' work.
        let cluster = try await PostgresCluster.make()
        defer { cluster.remove() }
        let url = try await cluster.createDatabase()
        let server = try await ServerProcess.start(databasePath: url)
        defer { server.stop() }
        let device = Device("restart")
        #expect(await device.run("login", server.url, "--user", "demo", "--password-stdin", stdin: "demo").code == 0)
        #expect(await device.run("sync").code == 0)
        for index in 0..<10 { #expect(await device.run("tag", "add", "grid-storage-winter", "before-\(index)").code == 0) }
        #expect(await device.run("sync").code == 0)

        // A crash of PostgreSQL (no checkpoint; it recovers from its WAL on the next start).
        // The device keeps working offline meanwhile: its edits wait in the outbox.
        try await cluster.stop(immediate: true)
        for index in 0..<5 { #expect(await device.run("tag", "add", "grid-storage-winter", "during-\(index)").code == 0) }
        try await cluster.start()

        // The server's next query finds its pooled connections broken and runs again on new
        // ones; the sync goes through and pushes what waited.
        let synced = await device.run("sync")
        #expect(synced.code == 0, "\(synced.err)")
        let store = try await ServerDatabase.open(url, create: false)
        let account = try #require(try await store.accounts().first { $0.name == "demo" })
        let tags = try await SyncKernel(storage: store).records(ofAccount: account.id).filter { $0.kind == .tag }
        await store.close()
        #expect(tags.count == 15)
        let local = try BriefingStore(path: device.storePath)
        #expect(try await local.pendingCount() == 0)
    }
}

/// What the race test's writers have done so far.
final class RaceProgress: Sendable {
    /// Writers still pushing.
    let writing: Mutex<Int>
    /// The IDs of every change a node has acknowledged.
    let acknowledged = Mutex<Set<String>>([])

    init(writers: Int) { writing = Mutex(writers) }
}
