import BriefingModel
import Foundation

// Conversions between the generated wire types (Schemas/openapi.yaml) and BriefingModel.
// They live here, beside the generated code, so the server and every client share one mapping.

/// A wire value that is well-formed JSON but not a valid value of the protocol.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// Wire schema shorthand.
public typealias Wire = Components.Schemas

extension Components.Schemas {
    /// A decoder for wire JSON read outside the generated client (the lab's observer, the
    /// benchmarks): dates are ISO 8601, as the generated code writes them.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension HLC {
    /// Parses a wire timestamp, naming the field on failure.
    public init(wire text: String, field: String) throws(WireError) {
        guard let value = HLC(text) else { throw WireError("`\(field)` is not a valid HLC timestamp: \(text.prefix(80))") }
        self = value
    }
}

extension Wire.TextAnchor {
    public init(_ anchor: TextAnchor) {
        self.init(
            revisionID: anchor.revisionID, paragraphID: anchor.paragraphID, start: Int32(clamping: anchor.start),
            end: Int32(clamping: anchor.end), exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix,
            status: anchor.status.flatMap { Wire.AnchorStatus(rawValue: $0.rawValue) })
    }

    /// The model anchor.
    public func model() throws(WireError) -> TextAnchor {
        guard start >= 0, end >= start else { throw WireError("an anchor's offsets must satisfy 0 ≤ start ≤ end") }
        return TextAnchor(
            revisionID: revisionID, paragraphID: paragraphID, start: Int(start), end: Int(end), exact: exact, prefix: prefix,
            suffix: suffix, status: status.flatMap { AnchorStatus(rawValue: $0.rawValue) })
    }
}

extension Wire.RecordFields {
    public init(_ fields: [String: FieldValue]) {
        self.init(
            briefingID: fields["briefingID"]?.string, color: fields["color"]?.string,
            anchor: fields["anchor"]?.anchor.map(Wire.TextAnchor.init), highlightID: fields["highlightID"]?.string,
            text: fields["text"]?.string, conflictOf: fields["conflictOf"]?.string, bookmarked: fields["bookmarked"]?.bool,
            position: fields["position"]?.number, furthest: fields["furthest"]?.number, name: fields["name"]?.string,
            adds: fields["adds"]?.strings, removes: fields["removes"]?.strings,
            cleared: Self.cleared(fields))
    }

    /// The fields set to no value, which JSON cannot tell from fields left alone. Only
    /// optional fields can have no value (`EntitySchema` refuses it elsewhere), and the
    /// contract lists each of them.
    static func cleared(_ fields: [String: FieldValue]) -> [ClearedPayloadPayload]? {
        let names = fields.filter { $0.value == .null }.keys.sorted().map { name in
            guard let cleared = ClearedPayloadPayload(rawValue: name) else {
                preconditionFailure("\(name) has no value but the contract cannot clear it")
            }
            return cleared
        }
        return names.isEmpty ? nil : names
    }

    /// The fields that are set, as model values.
    public func model() throws(WireError) -> [String: FieldValue] {
        var fields: [String: FieldValue] = [:]
        if let briefingID { fields["briefingID"] = .string(briefingID) }
        if let color { fields["color"] = .string(color) }
        if let anchor { fields["anchor"] = .anchor(try anchor.model()) }
        if let highlightID { fields["highlightID"] = .string(highlightID) }
        if let text { fields["text"] = .string(text) }
        if let conflictOf { fields["conflictOf"] = .string(conflictOf) }
        if let bookmarked { fields["bookmarked"] = .bool(bookmarked) }
        if let position {
            guard position.isFinite else { throw WireError("`position` must be a finite number") }
            fields["position"] = .number(position)
        }
        if let furthest {
            guard furthest.isFinite else { throw WireError("`furthest` must be a finite number") }
            fields["furthest"] = .number(furthest)
        }
        if let name { fields["name"] = .string(name) }
        if let adds { fields["adds"] = .strings(adds) }
        if let removes { fields["removes"] = .strings(removes) }
        let cleared = cleared ?? []
        guard Set(cleared).count == cleared.count else { throw WireError("`cleared` names a field twice") }
        for name in cleared {
            guard fields[name.rawValue] == nil else {
                throw WireError("`\(name.rawValue)` is both given a value and cleared")
            }
            fields[name.rawValue] = .null
        }
        return fields
    }
}

extension Wire.Mutation {
    public init(_ mutation: Mutation) {
        self.init(
            mutationID: mutation.mutationID, entity: Wire.EntityKind(mutation.kind), id: mutation.id,
            op: mutation.op == .upsert ? .upsert : .delete, hlc: mutation.hlc.description,
            fields: mutation.fields.isEmpty ? nil : Wire.RecordFields(mutation.fields), baseText: mutation.baseText,
            seen: mutation.seen?.description)
    }

    /// The model mutation; throws when a timestamp or value is malformed.
    public func model() throws(WireError) -> Mutation {
        guard mutationID >= 1 else { throw WireError("`mutationID` must be 1 or more") }
        return Mutation(
            mutationID: mutationID, kind: entity.model, id: id, op: op == .upsert ? .upsert : .delete,
            hlc: try HLC(wire: hlc, field: "hlc"), fields: try fields?.model() ?? [:], baseText: baseText,
            seen: try seen.map { text throws(WireError) in try HLC(wire: text, field: "seen") })
    }
}

extension Wire.EntityKind {
    public init(_ kind: EntityKind) { self = Wire.EntityKind(rawValue: kind.rawValue)! }

    /// The model kind.
    public var model: EntityKind { EntityKind(rawValue: rawValue)! }
}

extension Wire.MutationResult {
    public init(_ result: MutationResult) {
        self.init(
            mutationID: result.mutationID, status: Wire.MutationStatus(rawValue: result.status.rawValue)!,
            reason: result.reason, message: result.message, current: result.current.map(Wire.UserRecord.init))
    }

    /// The model result of `mutation` (whose kind and ID a rejection's `current` record has).
    public func model(answering mutation: Mutation) throws(WireError) -> MutationResult {
        MutationResult(
            mutationID: mutationID, status: MutationStatus(rawValue: status.rawValue)!, reason: reason, message: message,
            current: try current.map { record throws(WireError) in try record.model(kind: mutation.kind, id: mutation.id) })
    }
}

extension Wire.UserRecord {
    /// The record on the wire, its clocks compacted: the clock most of its fields share is
    /// sent once as `clock`, and `clocks` lists only the others.
    public init(_ record: UserRecord) {
        let (shared, others) = Self.compact(record)
        self.init(
            fields: Wire.RecordFields(record.fields),
            clock: shared?.description,
            clocks: others.isEmpty ? nil : Wire.FieldClocks(additionalProperties: others.mapValues(\.description)),
            deleted: record.deleted, deletedAt: record.deletedAt?.description,
            deleteSeen: record.deleteSeen?.description, flagged: record.flagged ? true : nil)
    }

    /// The shared clock (when every field has a clock) and the clocks that must be listed.
    ///
    /// Lossless: expanding gives each field in `fields` the shared clock unless listed, and
    /// a record with a field that has no clock keeps every clock listed.
    static func compact(_ record: UserRecord) -> (shared: HLC?, others: [String: HLC]) {
        guard !record.fields.isEmpty, record.fields.keys.allSatisfy({ record.clocks[$0] != nil }) else { return (nil, record.clocks) }
        var counts: [HLC: Int] = [:]
        for field in record.fields.keys { counts[record.clocks[field]!, default: 0] += 1 }
        // The most common clock; on a tie the newest, so the choice is deterministic.
        let shared = counts.max { ($0.value, $0.key) < ($1.value, $1.key) }!.key
        return (shared, record.clocks.filter { record.fields[$0.key] == nil || $0.value != shared })
    }

    /// The model record of `kind` and `id`.
    public func model(kind: EntityKind, id: String) throws(WireError) -> UserRecord {
        let fields = try fields.model()
        var clocks: [String: HLC] = [:]
        if let clock {
            let shared = try HLC(wire: clock, field: "clock")
            for field in fields.keys { clocks[field] = shared }
        }
        for (field, text) in self.clocks?.additionalProperties ?? [:] {
            clocks[field] = try HLC(wire: text, field: "clocks.\(field)")
        }
        return UserRecord(
            kind: kind, id: id, fields: fields, clocks: clocks, deleted: deleted,
            deletedAt: try deletedAt.map { text throws(WireError) in try HLC(wire: text, field: "deletedAt") },
            deleteSeen: try deleteSeen.map { text throws(WireError) in try HLC(wire: text, field: "deleteSeen") },
            flagged: flagged ?? false)
    }
}

extension Wire.Revision {
    public init(_ revision: Revision) {
        self.init(id: revision.id, number: Int32(clamping: revision.number), publishedAt: revision.publishedAt)
    }

    public var model: Revision { Revision(id: id, number: Int(number), publishedAt: publishedAt) }
}

extension Wire.Section {
    public init(_ section: Section) {
        self.init(id: section.id, heading: section.heading, paragraphs: section.paragraphs.map { Wire.Paragraph(id: $0.id, text: $0.text) })
    }

    public var model: Section { Section(id: id, heading: heading, paragraphs: paragraphs.map { Paragraph(id: $0.id, text: $0.text) }) }
}

extension Wire.Contributor {
    public init(_ contributor: Contributor) { self.init(name: contributor.name, bio: contributor.bio) }

    public var model: Contributor { Contributor(name: name, bio: bio) }
}

extension Wire.Briefing {
    public init(_ briefing: Briefing) {
        self.init(
            id: briefing.id, revision: Wire.Revision(briefing.revision), title: briefing.title, byline: briefing.byline,
            publication: briefing.publication, imageCredit: briefing.imageCredit, sourceURL: briefing.sourceURL,
            summary: briefing.summary, contributors: briefing.contributors.map(Wire.Contributor.init),
            sections: briefing.sections.map(Wire.Section.init))
    }

    /// The model briefing.
    public var model: Briefing {
        Briefing(
            id: id, revision: revision.model, title: title, byline: byline, publication: publication, imageCredit: imageCredit,
            sourceURL: sourceURL, summary: summary, contributors: contributors.map(\.model), sections: sections.map(\.model))
    }
}

extension Wire.BriefingBody {
    /// A briefing's body on its own: its current revision's sections.
    public init(_ briefing: Briefing) {
        self.init(briefingID: briefing.id, revisionID: briefing.revision.id, sections: briefing.sections.map(Wire.Section.init))
    }

    /// The model body.
    public var model: BriefingBody { BriefingBody(briefingID: briefingID, revisionID: revisionID, sections: sections.map(\.model)) }
}

extension Wire.BriefingMetadata {
    public init(_ metadata: BriefingMetadata) {
        self.init(
            id: metadata.id, revision: Wire.Revision(metadata.revision), title: metadata.title, byline: metadata.byline,
            publication: metadata.publication, imageCredit: metadata.imageCredit, sourceURL: metadata.sourceURL,
            summary: metadata.summary, excerpt: metadata.excerpt, contributors: metadata.contributors.map(Wire.Contributor.init),
            outline: metadata.outline.map {
                Wire.SectionOutline(id: $0.id, heading: $0.heading, paragraphs: Int32(clamping: $0.paragraphs))
            },
            bodySize: Int64(metadata.bodySize))
    }

    /// The model metadata; throws on a negative count or size.
    public func model() throws(WireError) -> BriefingMetadata {
        guard bodySize >= 0, outline.allSatisfy({ $0.paragraphs >= 0 }) else {
            throw WireError("a briefing's body size and paragraph counts cannot be negative")
        }
        return BriefingMetadata(
            id: id, revision: revision.model, title: title, byline: byline, publication: publication, imageCredit: imageCredit,
            sourceURL: sourceURL, summary: summary, excerpt: excerpt, contributors: contributors.map(\.model),
            outline: outline.map { SectionOutline(id: $0.id, heading: $0.heading, paragraphs: Int($0.paragraphs)) },
            bodySize: Int(bodySize))
    }
}

extension Wire.EditorialAnnotation {
    public init(_ annotation: EditorialAnnotation) {
        self.init(
            id: annotation.id, briefingID: annotation.briefingID,
            kind: Wire.EditorialKind(rawValue: annotation.kind.rawValue)!, anchor: Wire.TextAnchor(annotation.anchor),
            label: annotation.label, text: annotation.text,
            origin: annotation.origin.map { Wire.EditorialAnnotation.OriginPayload(rawValue: $0.rawValue)! })
    }

    /// The model annotation.
    public func model() throws(WireError) -> EditorialAnnotation {
        EditorialAnnotation(
            id: id, briefingID: briefingID, kind: EditorialKind(rawValue: kind.rawValue)!, anchor: try anchor.model(),
            label: label, text: text, origin: origin.flatMap { EditorialOrigin(rawValue: $0.rawValue) })
    }
}

extension Wire.Conflict {
    public init(_ conflict: ConflictRecord) {
        self.init(
            id: conflict.id, entity: Wire.EntityKind(conflict.kind), recordID: conflict.recordID, field: conflict.field,
            rule: RulePayload(rawValue: conflict.rule.rawValue)!,
            values: conflict.values.map {
                Wire.ConflictValue(value: $0.value, hlc: $0.hlc.description, deviceID: $0.deviceID, kept: $0.kept)
            },
            outcome: conflict.outcome, at: conflict.at.description)
    }

    /// The model conflict record.
    public func model() throws(WireError) -> ConflictRecord {
        var values: [ConflictValue] = []
        for value in self.values {
            values.append(
                ConflictValue(value: value.value, hlc: try HLC(wire: value.hlc, field: "hlc"), deviceID: value.deviceID, kept: value.kept))
        }
        return ConflictRecord(
            id: id, kind: entity.model, recordID: recordID, field: field, rule: ConflictRule(rawValue: rule.rawValue)!,
            values: values, outcome: outcome, at: try HLC(wire: at, field: "at"))
    }
}

extension Wire.Change {
    public init(_ change: Change) {
        switch change.payload {
        case .briefing(let briefing):
            self.init(entity: .briefing, id: change.id, op: .upsert, briefing: Wire.Briefing(briefing))
        case .briefingMetadata(let metadata):
            self.init(entity: .briefing, id: change.id, op: .upsert, briefingMetadata: Wire.BriefingMetadata(metadata))
        case .editorialAnnotation(let annotation):
            self.init(
                entity: .editorialAnnotation, id: change.id, op: .upsert, editorialAnnotation: Wire.EditorialAnnotation(annotation))
        case .record(let record):
            self.init(
                entity: Wire.EntityKind(change.kind), id: change.id, op: record.deleted ? .delete : .upsert,
                record: Wire.UserRecord(record))
        case .conflict(let conflict):
            self.init(entity: .conflict, id: change.id, op: .upsert, conflict: Wire.Conflict(conflict))
        case .removed:
            self.init(entity: Wire.EntityKind(change.kind), id: change.id, op: .delete)
        }
    }

    /// The model change; throws when the payload does not match the entity.
    public func model() throws(WireError) -> Change {
        let kind = entity.model
        if op == .delete && record == nil {
            return Change(kind: kind, id: id, payload: .removed)
        }
        switch kind {
        case .briefing:
            if let briefingMetadata { return Change(kind: kind, id: id, payload: .briefingMetadata(try briefingMetadata.model())) }
            guard let briefing else { throw WireError("a briefing change has no briefing") }
            return Change(kind: kind, id: id, payload: .briefing(briefing.model))
        case .editorialAnnotation:
            guard let editorialAnnotation else { throw WireError("an editorial change has no annotation") }
            return Change(kind: kind, id: id, payload: .editorialAnnotation(try editorialAnnotation.model()))
        case .conflict:
            guard let conflict else { throw WireError("a conflict change has no conflict") }
            return Change(kind: kind, id: id, payload: .conflict(try conflict.model()))
        case .highlight, .note, .bookmark, .readingProgress, .tag:
            guard let record else { throw WireError("a \(kind.rawValue) change has no record") }
            return Change(kind: kind, id: id, payload: .record(try record.model(kind: kind, id: id)))
        }
    }
}

extension Optional where Wrapped == Wire.BodyDelivery {
    /// The model's delivery; absent is `inline`, as the schema's default.
    public var model: BodyDelivery { self.flatMap { BodyDelivery(rawValue: $0.rawValue) } ?? .inline }
}

extension Wire.BodyDelivery {
    public init(_ delivery: BodyDelivery) { self = Self(rawValue: delivery.rawValue)! }
}
