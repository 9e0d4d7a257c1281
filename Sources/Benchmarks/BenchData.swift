import BriefingModel
import Foundation
import Logging
import SyncServerCore
import BriefingServer

/// Seeded, realistic benchmark content: briefings of about 20 KB in 6–10 sections, and a
/// reader's annotations with real anchors into them.
struct BenchData {
    static let vocabulary = [
        "policy", "grid", "storage", "ministers", "regulator", "tariff", "subsidy", "budget", "evidence", "households",
        "operators", "capacity", "winter", "demand", "supply", "reform", "contract", "auction", "rural", "network",
        "investment", "emissions", "water", "basin", "drought", "quota", "fisheries", "ports", "automation", "labour",
        "training", "pension", "inflation", "interest", "lending", "housing", "planning", "councils", "transport",
        "freight", "rail", "schools", "teachers", "hospitals", "clinics", "insurance", "climate", "adaptation", "flood",
        "defences", "heat", "shelters", "trees", "broadband", "coverage", "satellite", "fibre", "villages", "data",
        "privacy", "courts", "appeals", "agency", "commission", "treaty", "border", "trade", "exports", "imports",
        "farmers", "fertiliser", "nutrients", "algae", "coastline", "tourism", "revenue", "audit", "oversight", "pilot",
    ]
    static let connectives = [
        "and", "but", "while", "because", "although", "so", "since", "unless", "whereas", "as",
    ]
    static let verbs = [
        "raised", "cut", "delayed", "approved", "reviewed", "funded", "tested", "expanded", "capped", "measured",
        "published", "challenged", "doubled", "halved", "targeted", "priced", "shared", "protected", "replaced", "mapped",
    ]

    var random: SeededGenerator

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func pick(_ words: [String]) -> String { words[Int.random(in: 0..<words.count, using: &random)] }

    mutating func sentence() -> String {
        var words: [String] = []
        let length = Int.random(in: 12...24, using: &random)
        while words.count < length {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: words.append(pick(Self.connectives))
            case 1, 2: words.append(pick(Self.verbs))
            case 3: words.append(String(Int.random(in: 2...2040, using: &random)))
            default: words.append(pick(Self.vocabulary))
            }
        }
        var text = words.joined(separator: " ")
        text = text.prefix(1).uppercased() + text.dropFirst()
        return text + (Int.random(in: 0..<12, using: &random) == 0 ? "?" : ".")
    }

    mutating func paragraph() -> String {
        (0..<Int.random(in: 3...6, using: &random)).map { _ in sentence() }.joined(separator: " ")
    }

    /// A briefing of about `targetBytes` of body text in 6–10 sections.
    mutating func briefing(index: Int, targetBytes: Int = 20_000, publication: String = "Bench Review") -> Briefing {
        let sectionCount = Int.random(in: 6...10, using: &random)
        var sections: [(heading: String?, paragraphs: [String])] = []
        var bytes = 0
        for section in 0..<sectionCount {
            var paragraphs: [String] = []
            let share = targetBytes / sectionCount
            var sectionBytes = 0
            while sectionBytes < share {
                let text = paragraph()
                sectionBytes += text.utf8.count
                paragraphs.append(text)
            }
            bytes += sectionBytes
            let heading = section == 0 ? nil : (pick(Self.vocabulary).capitalized + " and " + pick(Self.vocabulary))
            sections.append((heading, paragraphs))
        }
        let title = "Briefing \(index): " + (0..<5).map { _ in pick(Self.vocabulary) }.joined(separator: " ").capitalized
        return Briefing.assemble(
            id: String(format: "bench-%05d", index), publishedAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(index) * 3600),
            title: title, byline: "By Bench Writer", publication: publication,
            contributors: [Contributor(name: "Bench Writer", bio: "Bench Writer writes benchmark briefings.")], sections: sections)
    }

    /// An anchor on a whole-word passage of 4–12 words in a random paragraph.
    mutating func anchor(in briefing: Briefing) -> TextAnchor {
        let paragraphs = briefing.paragraphs
        let paragraph = paragraphs[Int.random(in: 0..<paragraphs.count, using: &random)]
        let scalars = Array(paragraph.text.unicodeScalars)
        var starts: [Int] = [0]
        for (index, scalar) in scalars.enumerated() where scalar == " " { starts.append(index + 1) }
        let first = Int.random(in: 0..<max(1, starts.count - 4), using: &random)
        let last = min(starts.count - 1, first + Int.random(in: 4...12, using: &random))
        let lower = starts[first]
        let upper = last < starts.count - 1 ? starts[last] - 1 : scalars.count
        let range = lower..<max(lower + 1, upper)
        var exact = ""
        exact.unicodeScalars.append(contentsOf: scalars[range])
        let context = TextSearch.context(in: scalars, around: range)
        return TextAnchor(
            revisionID: briefing.revision.id, paragraphID: paragraph.id, start: range.lowerBound, end: range.upperBound,
            exact: exact, prefix: context.prefix, suffix: context.suffix, status: .anchored)
    }

    /// A reader's annotations on `briefing`: three highlights to every note, some notes on a highlight.
    mutating func annotations(on briefing: Briefing, count: Int, device: String, firstMutationID: Int64, millis: Int64) -> [Mutation] {
        var mutations: [Mutation] = []
        var highlightIDs: [String] = []
        for index in 0..<count {
            let mutationID = firstMutationID + Int64(index)
            let hlc = HLC(wallMillis: millis + Int64(index), counter: 0, node: device)
            if index % 4 == 3 {
                var fields: [String: FieldValue] = [
                    "briefingID": .string(briefing.id), "text": .string((0..<3).map { _ in sentence() }.joined(separator: " ")),
                ]
                if let highlight = highlightIDs.last, Bool.random(using: &random) { fields["highlightID"] = .string(highlight) }
                mutations.append(Mutation(mutationID: mutationID, kind: .note, id: "N-\(briefing.id)-\(index)", op: .upsert, hlc: hlc, fields: fields))
            } else {
                let id = "H-\(briefing.id)-\(index)"
                highlightIDs.append(id)
                mutations.append(
                    Mutation(
                        mutationID: mutationID, kind: .highlight, id: id, op: .upsert, hlc: hlc,
                        fields: [
                            "briefingID": .string(briefing.id), "anchor": .anchor(anchor(in: briefing)),
                            "color": .string(Highlight.colors[index % Highlight.colors.count]),
                        ]))
            }
        }
        return mutations
    }
}

/// A server database prepared for a workload: its content, its reader, and what to expect.
struct SeededLibrary {
    var databasePath: String
    var user: String
    var password: String
    var briefings: Int
    var annotations: Int

    static let password = "bench-password"

    /// Publishes `briefings` briefings and pushes `annotationsPerBriefing` annotations on each
    /// for one reader, straight into the server store (setup, not measured).
    static func make(
        at path: String, briefings: Int, annotationsPerBriefing: Int, seed: UInt64, user: String = "reader",
        publication: (Int) -> String = { _ in "Bench Review" }, progress: (String) -> Void = { _ in }
    ) async throws -> SeededLibrary {
        let store = try await ServerDatabase.open(path, fsync: false)
        let now = Date()
        var logger = Logger(label: "bench.seed")
        logger.logLevel = .warning
        let service = SyncService(store: store, configuration: .init(bcryptCost: 4), logger: logger, now: { now })
        try await service.addUser(name: user, password: password, grants: .all)
        let session = try await service.createSession(user: user, password: password, deviceName: "seed")
        let principal = try await service.authenticate(token: session.token)
        // Content and annotations draw from separate streams, so a library with no annotations
        // has exactly the same briefings (the wire-efficiency workload subtracts one from the other).
        var data = BenchData(seed: seed)
        var notes = BenchData(seed: seed ^ 0xA770_7A7E)
        var nextMutation: Int64 = 1
        var batch: [Mutation] = []
        let millis = Int64(now.timeIntervalSince1970 * 1000) - 3_600_000
        for index in 0..<briefings {
            let briefing = data.briefing(index: index, publication: publication(index))
            try await service.publish(briefing, editorial: [])
            let mutations = notes.annotations(
                on: briefing, count: annotationsPerBriefing, device: principal.deviceID, firstMutationID: nextMutation,
                millis: millis + nextMutation)
            nextMutation += Int64(mutations.count)
            batch += mutations
            if batch.count >= 500 {
                _ = try await service.push(principal, clientID: principal.deviceID, mutations: batch)
                batch = []
            }
            if (index + 1) % 500 == 0 { progress("seeded \(index + 1)/\(briefings) briefings") }
        }
        if !batch.isEmpty { _ = try await service.push(principal, clientID: principal.deviceID, mutations: batch) }
        try await store.checkpoint()
        await store.close()
        return SeededLibrary(
            databasePath: path, user: user, password: password, briefings: briefings, annotations: briefings * annotationsPerBriefing)
    }
}
