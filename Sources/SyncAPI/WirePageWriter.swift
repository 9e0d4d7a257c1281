import BriefingModel
import Foundation

/// Pages of changes written straight to JSON: the same bytes the generated server encoding
/// gives with the API's options (`.sortedKeys`, `.withoutEscapingSlashes`), several times
/// faster. Pages of the reader's records are most of what the server sends; the generated
/// `JSONEncoder` was the largest part of its work on a first sync. A test compares the two,
/// byte for byte, over generated pages.
///
/// Changes the writer has no code for (briefings, their metadata, editorial annotations,
/// conflicts) are encoded by `encoder` and set in place, so any page can be written.
extension Wire.ChangesPage {
    public func directlyWritten(encodingOthersWith encoder: JSONEncoder) throws -> [UInt8] {
        var out = CanonicalWriter(capacity: 256 + changes.count * 640)
        try write(to: &out, encodingOthersWith: encoder)
        return out.bytes
    }

    func write(to out: inout CanonicalWriter, encodingOthersWith encoder: JSONEncoder) throws {
        var failure: (any Error)?
        out.object { page in
            page.key("changes") { out in
                do {
                    try out.array(changes) { out, change in try change.write(to: &out, encodingOthersWith: encoder) }
                } catch {
                    failure = error
                }
            }
            page.key("cursor") { $0.string(cursor) }
            page.key("hasMore") { $0.bool(hasMore) }
            page.key("protocolVersion") { $0.integer(Int(protocolVersion)) }
        }
        if let failure { throw failure }
    }
}

extension Wire.PushResponse {
    /// The push's answer written straight to JSON, its page by `Wire.ChangesPage.directlyWritten`
    /// and its results by `encoder`: the same bytes as the generated encoding.
    public func directlyWritten(encodingOthersWith encoder: JSONEncoder) throws -> [UInt8] {
        var out = CanonicalWriter(capacity: 256 + (changes?.changes.count ?? 0) * 640 + results.count * 64)
        let results = try encoder.encode(self.results)
        var failure: (any Error)?
        out.object { response in
            if let changes {
                response.key("changes") { out in
                    do {
                        try changes.write(to: &out, encodingOthersWith: encoder)
                    } catch {
                        failure = error
                    }
                }
            }
            response.key("protocolVersion") { $0.integer(Int(protocolVersion)) }
            response.key("results") { $0.json(results) }
        }
        if let failure { throw failure }
        return out.bytes
    }
}

extension Wire.Change {
    fileprivate func write(to out: inout CanonicalWriter, encodingOthersWith encoder: JSONEncoder) throws {
        guard briefing == nil, briefingMetadata == nil, editorialAnnotation == nil, conflict == nil else {
            out.json(try encoder.encode(self))
            return
        }
        out.object { change in
            change.key("entity") { $0.string(entity.rawValue) }
            change.key("id") { $0.string(id) }
            change.key("op") { $0.string(op.rawValue) }
            if let record { change.key("record") { record.write(to: &$0) } }
        }
    }
}

extension Wire.UserRecord {
    fileprivate func write(to out: inout CanonicalWriter) {
        out.object { record in
            if let clock { record.key("clock") { $0.string(clock) } }
            if let clocks {
                record.key("clocks") { out in
                    out.object { members in
                        for name in clocks.additionalProperties.keys.sorted(by: CanonicalWriter.keyOrder) {
                            members.key(name) { $0.string(clocks.additionalProperties[name]!) }
                        }
                    }
                }
            }
            if let deleteSeen { record.key("deleteSeen") { $0.string(deleteSeen) } }
            record.key("deleted") { $0.bool(deleted) }
            if let deletedAt { record.key("deletedAt") { $0.string(deletedAt) } }
            record.key("fields") { fields.write(to: &$0) }
            if let flagged { record.key("flagged") { $0.bool(flagged) } }
        }
    }
}

extension Wire.RecordFields {
    /// The members in the encoder's order (by their UTF-8 bytes).
    fileprivate func write(to out: inout CanonicalWriter) {
        out.object { fields in
            if let adds { fields.key("adds") { $0.strings(adds) } }
            if let anchor {
                fields.key("anchor") {
                    $0.anchor(
                        end: Int(anchor.end), exact: anchor.exact, paragraphID: anchor.paragraphID, prefix: anchor.prefix,
                        revisionID: anchor.revisionID, start: Int(anchor.start), status: anchor.status?.rawValue, suffix: anchor.suffix)
                }
            }
            if let bookmarked { fields.key("bookmarked") { $0.bool(bookmarked) } }
            if let briefingID { fields.key("briefingID") { $0.string(briefingID) } }
            if let cleared { fields.key("cleared") { $0.strings(cleared.map(\.rawValue)) } }
            if let color { fields.key("color") { $0.string(color) } }
            if let conflictOf { fields.key("conflictOf") { $0.string(conflictOf) } }
            if let furthest { fields.key("furthest") { $0.number(furthest) } }
            if let highlightID { fields.key("highlightID") { $0.string(highlightID) } }
            if let name { fields.key("name") { $0.string(name) } }
            if let position { fields.key("position") { $0.number(position) } }
            if let removes { fields.key("removes") { $0.strings(removes) } }
            if let text { fields.key("text") { $0.string(text) } }
        }
    }
}
