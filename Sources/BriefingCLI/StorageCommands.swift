import ArgumentParser
import BriefingModel
import BriefingStore
import Foundation
import SyncClient

extension GlobalOptions {
    /// The briefing (by ID or unique prefix) with its body: from the store, else fetched from
    /// the server now and kept for reading offline. Offline, or logged out, it says so plainly
    /// and lists what can be read offline.
    func readableBriefing(_ idOrPrefix: String, in store: BriefingStore) async throws -> Briefing {
        let metadata = try await store.resolveMetadata(idOrPrefix)
        if let briefing = try await store.briefing(id: metadata.id) { return briefing }
        do {
            return try await SyncClient(store: store).ensureBody(briefingID: metadata.id)
        } catch let error as SyncClientError where error.code == .unreachable || error.code == .notLoggedIn {
            let readable = try await store.downloadedBriefings()
            var message = "“\(metadata.title)” (\(metadata.id)) is not downloaded yet, and "
            message += error.code == .notLoggedIn ? "this store is not logged in to fetch it" : "the server cannot be reached to fetch it"
            if readable.isEmpty {
                message += "; nothing is downloaded to read offline yet"
            } else {
                let shown = readable.prefix(10).map { "\($0.id) (“\($0.title)”)" }.joined(separator: ", ")
                message += "; readable offline: \(shown)"
                if readable.count > 10 { message += " and \(readable.count - 10) more (`briefing list` marks them)" }
            }
            throw CLIError(message)
        }
    }
}

/// `briefing settings`: the storage budget for bodies and how many of the newest to prefetch.
struct Settings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show or change how much this device keeps of briefings' bodies for offline reading.",
        discussion: """
            Bodies are fetched when you read a briefing, and ahead of reading for the briefings you \
            highlighted, noted or bookmarked, the ones you read, and the newest. Nothing is evicted \
            under the budget; past it, the least recently read bodies without your highlights, notes \
            or bookmark go first. A lower budget evicts at once; bodies newly wanted are fetched at \
            once when the server can be reached, else at the next sync.
            """)
    @Option(name: .customLong("max-storage"), help: ArgumentHelp("The most megabytes of bodies to keep (0 keeps none).", valueName: "MB"))
    var maxStorage: Int?
    @Option(help: ArgumentHelp("How many of the newest briefings to fetch ahead of reading.", valueName: "N"))
    var prefetch: Int?
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let maxStorage, !(0...1_000_000).contains(maxStorage) {
            throw ValidationError("--max-storage is megabytes between 0 and 1000000, not \(maxStorage)")
        }
        if let prefetch, !(0...10_000).contains(prefetch) {
            throw ValidationError("--prefetch is between 0 and 10000, not \(prefetch)")
        }
    }

    struct Output: Encodable {
        var maxStorageMB: Double
        var prefetchNewest: Int
        var briefings: Int
        var downloaded: Int
        var storedMB: Double
        var fetched: Int?
        var evicted: Int?
        var applied: Bool
    }

    func run() async throws {
        let store = try global.openStore()
        let changing = maxStorage != nil || prefetch != nil
        var evicted = 0
        var fetched: Int?
        var pending: String?
        if changing {
            try await store.setStorageSettings(maxStorageBytes: maxStorage.map { $0 << 20 }, prefetchNewest: prefetch)
            if try await store.syncState().isLoggedIn {
                // The plan at once: evictions, then the fetches (best effort: offline, they wait).
                let summary = try await SyncClient(store: store).downloadBodies()
                fetched = summary.downloaded
                evicted = summary.evicted
                if summary.bodiesFailed > 0 {
                    pending = "\(summary.bodiesFailed) body(ies) could not be fetched now; the next `briefing sync` tries again"
                }
            } else {
                // Evicting needs no server: a lower budget holds at once.
                evicted = try await store.applyBodyPlan().evict.count
                pending = "bodies are fetched once this store is logged in and syncs"
            }
        }
        let usage = try await store.storageUsage()
        let output = Output(
            maxStorageMB: Self.megabytes(usage.settings.maxStorageBytes), prefetchNewest: usage.settings.prefetchNewest,
            briefings: usage.briefings, downloaded: usage.downloaded, storedMB: Self.megabytes(usage.bytes),
            fetched: changing ? (fetched ?? 0) : nil, evicted: changing ? evicted : nil, applied: pending == nil)
        if global.json { return try Console.json(output) }
        Console.line("Storage budget: \(Self.text(output.maxStorageMB)) MB of bodies; the newest \(output.prefetchNewest) fetched ahead of reading.")
        Console.line(
            "Downloaded: \(output.downloaded) of \(output.briefings) briefing(s), \(Self.size(usage.bytes)); the rest are listed and searchable by their metadata.")
        if changing { Console.line("Applied now: \(fetched ?? 0) fetched, \(evicted) evicted.") }
        if let pending { Console.line("Saved; \(pending).") }
    }

    static func megabytes(_ bytes: Int) -> Double { Double(bytes) / Double(1 << 20) }

    /// A stored size for people: KB under a megabyte, else MB.
    static func size(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(Int((Double(bytes) / 1024).rounded())) KB" : "\(text(megabytes(bytes))) MB"
    }

    static func text(_ megabytes: Double) -> String {
        megabytes == megabytes.rounded() ? String(Int(megabytes)) : String(format: "%.1f", megabytes)
    }
}
