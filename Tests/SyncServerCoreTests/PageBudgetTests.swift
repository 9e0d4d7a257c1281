import BriefingModel
import BriefingTestSupport
import Foundation
import Testing

@testable import SyncServerCore

/// A page of changes is bounded in bytes as well as in records.
@Suite("Page byte budget")
struct PageBudgetTests {
    static let now = Date(timeIntervalSince1970: 1_750_000_000)

    /// A service whose demo reader has pushed `count` notes of `length` characters each.
    func service(notes count: Int, length: Int, maxPageBytes: Int = SyncKernel.defaultPageBytes) async throws -> (SyncService, Principal) {
        let service = SyncService(
            store: try SQLiteServerStore.inMemory(),
            configuration: .init(bcryptCost: 4, loginPolicy: .unlimited, maxPageBytes: maxPageBytes), now: { Self.now })
        try await DemoContent.load(into: service)
        let session = try await service.createSession(user: "demo", password: "demo", deviceName: nil)
        let principal = try await service.authenticate(token: session.token)
        let mutations = (1...count).map { index in
            Mutation(
                mutationID: Int64(index), kind: .note, id: "note-\(index)", op: .upsert,
                hlc: HLC(wallMillis: Int64(Self.now.timeIntervalSince1970 * 1000), counter: Int32(index), node: principal.deviceID),
                fields: ["briefingID": .string("grid-storage-winter"), "text": .string(String(repeating: "é", count: length))])
        }
        let results = try await service.push(principal, clientID: principal.deviceID, mutations: mutations)
        #expect(results.allSatisfy { $0.status == .applied })
        return (service, principal)
    }

    /// Every page from the start, with the stored bytes of each.
    func pages(_ service: SyncService, _ principal: Principal, limit: Int) async throws -> [(changes: [Change], bytes: Int)] {
        var pages: [(changes: [Change], bytes: Int)] = []
        var cursor: String?
        repeat {
            let page = try await service.pull(principal, cursor: cursor, limit: limit)
            let bytes = try page.changes.reduce(0) { $0 + (try Self.size(of: $1.payload)) }
            pages.append((page.changes, bytes))
            cursor = page.cursor.token
            if !page.hasMore { break }
        } while true
        return pages
    }

    /// The stored size of a change's record, as the server counts it.
    static func size(of payload: Change.Payload) throws -> Int {
        switch payload {
        case .briefing(let briefing): try CanonicalJSON.text(briefing).utf8.count
        case .briefingMetadata(let metadata): try CanonicalJSON.text(metadata).utf8.count
        case .editorialAnnotation(let annotation): try CanonicalJSON.text(annotation).utf8.count
        case .record(let record): try CanonicalJSON.text(record).utf8.count
        case .conflict(let conflict): try CanonicalJSON.text(conflict).utf8.count
        case .removed: 0
        }
    }

    @Test("Thirty notes of the largest size the contract allows come in several pages, each within the budget")
    func largestNotes() async throws {
        let (service, principal) = try await service(notes: 30, length: EntitySchema.Limits.fields["text"]!)
        let pages = try await pages(service, principal, limit: 1000)
        #expect(pages.count > 1)
        let notes = pages.flatMap(\.changes).filter { $0.kind == .note }
        #expect(Set(notes.map(\.id)).count == 30)
        // Each note is about 200 kB of UTF-8; a page holds as many as fit in the budget.
        for page in pages { #expect(page.bytes <= SyncKernel.defaultPageBytes + 100_000) }
    }

    @Test("A record larger than the budget travels alone, and the pull still ends")
    func oversizeRecordAlone() async throws {
        let (service, principal) = try await service(notes: 5, length: 40_000, maxPageBytes: 50_000)
        let pages = try await pages(service, principal, limit: 1000)
        let notePages = pages.filter { $0.changes.contains { $0.kind == .note } }
        #expect(notePages.count == 5)
        #expect(notePages.allSatisfy { $0.changes.filter { $0.kind == .note }.count == 1 })
        #expect(Set(pages.flatMap(\.changes).filter { $0.kind == .note }.map(\.id)).count == 5)
    }
}
