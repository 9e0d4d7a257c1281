import BriefingModel
import Foundation

/// The original demo briefings shipped with the server, with their editorial layers.
public enum DemoContent {
    /// The demo account's name and password.
    public static let user = "demo"
    public static let password = "demo"

    /// One demo file: a briefing's text and metadata, and its editorial annotations by quote.
    struct File: Decodable {
        struct Section: Decodable {
            var heading: String?
            var paragraphs: [String]
        }

        struct Editorial: Decodable {
            var kind: EditorialKind
            var quote: String
            var label: String?
            var text: String?
        }

        var id: String
        var title: String
        var byline: String?
        var publication: String?
        var publishedAt: Date?
        var imageCredit: String?
        var sourceURL: String?
        var summary: String?
        var contributors: [Contributor]
        var sections: [Section]
        var editorial: [Editorial]
    }

    /// The demo briefings, assembled and with every editorial quote anchored.
    public static func briefings() throws -> [(briefing: Briefing, editorial: [EditorialAnnotation])] {
        guard let folder = Bundle.module.url(forResource: "DemoContent", withExtension: nil),
            case let urls = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
                .filter({ $0.pathExtension == "json" }),
            !urls.isEmpty
        else {
            throw SyncError(.storage, "the demo content is missing from the server's resources")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try urls.sorted { $0.lastPathComponent < $1.lastPathComponent }.map { url in
            let file = try decoder.decode(File.self, from: Data(contentsOf: url))
            let briefing = Briefing.assemble(
                id: file.id, publishedAt: file.publishedAt, title: file.title, byline: file.byline,
                publication: file.publication, imageCredit: file.imageCredit, sourceURL: file.sourceURL,
                summary: file.summary, contributors: file.contributors,
                sections: file.sections.map { ($0.heading, $0.paragraphs) })
            let editorial = try file.editorial.map { item in
                let anchor: TextAnchor
                do {
                    anchor = try briefing.anchor(quote: item.quote)
                } catch {
                    throw SyncError(.storage, "demo briefing \(file.id): editorial quote cannot be anchored: \(error)")
                }
                return EditorialAnnotation(
                    id: "e-" + StableHash.hex(of: [file.id, item.kind.rawValue, item.quote], length: 16), briefingID: file.id,
                    kind: item.kind, anchor: anchor, label: item.label, text: item.text)
            }
            return (briefing, editorial)
        }
    }

    /// Publishes the demo briefings and creates the demo account, if the store has no briefings yet.
    ///
    /// - Returns: whether anything was loaded.
    @discardableResult
    public static func load(into service: SyncService) async throws -> Bool {
        guard try await service.store.briefingCount() == 0 else { return false }
        for (briefing, editorial) in try briefings() {
            try await service.publish(briefing, editorial: editorial)
        }
        if try await !service.store.accounts().contains(where: { $0.name == user }) {
            try await service.addUser(name: user, password: password, grants: .all)
        }
        return true
    }
}
