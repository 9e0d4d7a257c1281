import BriefingModel
import Foundation

// The limits of Schemas/openapi.yaml that the generated types do not check: string lengths,
// array sizes, number ranges. The generated decoder enforces types, enums, required fields and
// unknown fields; everything else a request carries is checked here, before it reaches the
// sync service, so a value the contract forbids is refused (400, naming the field) and never
// stored. Every string is also refused if it holds a control character (U+0000–U+001F):
// a NUL truncates strings in C libraries (SQLite's text functions, bcrypt), and the others
// have no place in an ID or a name. Text a reader writes (a note, a highlight's quote and its
// context) may hold tabs and line breaks.
//
// `ContractTests` walks the schema file and proves that every constraint there is enforced
// here, so a constraint added to the schema without a check fails the tests.

/// Checks values against the contract, naming each by its path in the request (`mutations[2].fields.text`).
public struct ContractCheck: Sendable {
    /// The path of the value being checked, empty for the request body itself.
    public var path: String

    public init(path: String = "") { self.path = path }

    /// The check of a member.
    public func member(_ key: String) -> ContractCheck { ContractCheck(path: name(key)) }

    /// The check of an array element.
    public func element(_ key: String, _ index: Int) -> ContractCheck { ContractCheck(path: "\(name(key))[\(index)]") }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A string: `min`…`max` characters (Unicode scalars, as JSON Schema counts), and no control
    /// characters but, in `text`, tab, line feed and carriage return.
    public func string(_ value: String?, _ key: String, min: Int = 0, max: Int, text: Bool = false) throws(WireError) {
        guard let value else { return }
        let (count, control) = EntitySchema.measure(value, multiline: text)
        if let control {
            let code = "U+" + String(control.value, radix: 16, uppercase: true).leftPadded(to: 4)
            throw WireError(
                text
                    ? "`\(name(key))` contains the control character \(code); text may hold only tabs and line breaks"
                    : "`\(name(key))` contains the control character \(code); it may hold none")
        }
        if count < min {
            throw WireError(min == 1 ? "`\(name(key))` must not be empty" : "`\(name(key))` must be at least \(min) characters")
        }
        if count > max {
            throw WireError("`\(name(key))` is \(count) characters long; the limit is \(max)")
        }
    }

    /// A hybrid logical clock timestamp (the schema's `HLC` pattern).
    public func clock(_ value: String?, _ key: String) throws(WireError) {
        guard let value else { return }
        guard HLC(value) != nil else {
            throw WireError("`\(name(key))` is not a clock timestamp (MMMMMMMMMMMMMMM-CCCCCC-NODE): \(value.prefix(80).debugDescription)")
        }
    }

    /// A number in `min`…`max`, finite.
    public func number(_ value: Double?, _ key: String, min: Double, max: Double) throws(WireError) {
        guard let value else { return }
        guard value.isFinite, value >= min, value <= max else {
            throw WireError("`\(name(key))` must be a number from \(min.formatted()) to \(max.formatted()); it is \(value)")
        }
    }

    /// An integer of at least `min` (and at most `max`).
    public func integer<I: BinaryInteger>(_ value: I?, _ key: String, min: I, max: I? = nil) throws(WireError) {
        guard let value else { return }
        guard value >= min, max.map({ value <= $0 }) ?? true else {
            let range = max.map { "from \(min) to \($0)" } ?? "\(min) or more"
            throw WireError("`\(name(key))` must be \(range); it is \(value)")
        }
    }

    /// An array of at most `max` elements.
    public func count<C: Collection>(_ value: C?, _ key: String, max: Int) throws(WireError) {
        guard let value else { return }
        guard value.count <= max else {
            throw WireError("`\(name(key))` has \(value.count) elements; the limit is \(max)")
        }
    }
}

private typealias Limits = EntitySchema.Limits

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension Components.Schemas.SessionRequest {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck = .init()) throws(WireError) {
        try check.string(user, "user", min: 1, max: 100)
        try check.string(password, "password", min: 1, max: 200)
        try check.string(deviceName, "deviceName", max: 100)
    }
}

extension Components.Schemas.PushRequest {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck = .init()) throws(WireError) {
        try check.string(clientID, "clientID", min: 1, max: 64)
        try check.count(mutations, "mutations", max: 500)
        for (index, mutation) in mutations.enumerated() {
            try mutation.checkContract(check.element("mutations", index))
        }
        try pull?.checkContract(check.member("pull"))
        try check.string(cursor, "cursor", max: 4000)
    }
}

extension Components.Schemas.SubscriptionRequest {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck = .init()) throws(WireError) {
        try check.count(publications, "publications", max: 1000)
        if let publications, Set(publications).count != publications.count {
            throw WireError("`\(check.name("publications"))` names a publication twice")
        }
        for (index, key) in (publications ?? []).enumerated() {
            try check.string(key, "publications[\(index)]", min: 1, max: 64)
        }
    }
}

extension Components.Schemas.PullAfterPush {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck) throws(WireError) {
        try check.string(cursor, "cursor", max: 4000)
        try check.integer(limit, "limit", min: 1)
    }
}

extension Components.Schemas.Mutation {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck) throws(WireError) {
        try check.integer(mutationID, "mutationID", min: 1)
        try check.string(id, "id", min: 1, max: EntitySchema.Limits.id)
        try check.clock(hlc, "hlc")
        try fields?.checkContract(check.member("fields"))
        try check.string(baseText, "baseText", max: Limits.fields["text"]!, text: true)
        try check.clock(seen, "seen")
    }
}

extension Components.Schemas.RecordFields {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck) throws(WireError) {
        try check.string(briefingID, "briefingID", max: Limits.fields["briefingID"]!)
        try check.string(color, "color", max: Limits.fields["color"]!)
        try anchor?.checkContract(check.member("anchor"))
        try check.string(highlightID, "highlightID", max: Limits.fields["highlightID"]!)
        try check.string(text, "text", max: Limits.fields["text"]!, text: true)
        try check.string(conflictOf, "conflictOf", max: Limits.fields["conflictOf"]!)
        try check.number(position, "position", min: 0, max: 1)
        try check.number(furthest, "furthest", min: 0, max: 1)
        try check.string(name, "name", min: 1, max: Limits.fields["name"]!)
        for (key, values) in [("adds", adds), ("removes", removes)] {
            try check.count(values, key, max: Limits.tagNames)
            for (index, value) in (values ?? []).enumerated() {
                try ContractCheck().string(value, "\(check.name(key))[\(index)]", max: Limits.tagName)
            }
        }
        try check.count(cleared, "cleared", max: 1)
    }
}

extension Components.Schemas.TextAnchor {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck) throws(WireError) {
        try check.string(revisionID, "revisionID", max: Limits.anchorID)
        try check.string(paragraphID, "paragraphID", max: Limits.anchorID)
        try check.integer(start, "start", min: 0)
        try check.integer(end, "end", min: 0)
        try check.string(exact, "exact", max: Limits.exact, text: true)
        try check.string(prefix, "prefix", max: Limits.context, text: true)
        try check.string(suffix, "suffix", max: Limits.context, text: true)
    }
}

extension Operations.GetChanges.Input.Query {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck = .init()) throws(WireError) {
        try check.string(cursor, "cursor", max: 4000)
        try check.integer(limit, "limit", min: 1, max: 1000)
        try check.integer(wait, "wait", min: 0, max: 30)
        try check.string(bodies, "bodies", max: 16)
        if let bodies, BodyDelivery(rawValue: bodies) == nil {
            throw WireError("bodies must be one of \(BodyDelivery.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    /// How the caller asked for bodies (`inline` when it did not say).
    public var bodyDelivery: BodyDelivery { bodies.flatMap(BodyDelivery.init(rawValue:)) ?? .inline }
}

extension Operations.GetNewestBriefings.Input.Query {
    /// Checks the contract's limits (see `ContractCheck`).
    public func checkContract(_ check: ContractCheck = .init()) throws(WireError) {
        try check.integer(limit, "limit", min: 1, max: 100)
    }
}
