import BriefingModel
import Foundation
import SyncAPI
import Testing

/// The wire form of a reader's record: clocks are compacted, and expanding them gives back
/// exactly the record the server holds.
@Suite("Wire form of records")
struct WireFormTests {
    static let a = HLC(wallMillis: 1_700_000_000_000, counter: 0, node: "DEVICE-A")
    static let b = HLC(wallMillis: 1_700_000_005_000, counter: 2, node: "DEVICE-B")
    static let anchor = FieldValue.anchor(
        TextAnchor(revisionID: "r1", paragraphID: "p1", start: 0, end: 4, exact: "Grid", prefix: "", suffix: " storage", status: .anchored))

    /// The record after a trip through the wire's JSON.
    static func roundTrip(_ record: UserRecord) throws -> (UserRecord, [String: Any]) {
        let data = try JSONEncoder().encode(Wire.UserRecord(record))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let decoded = try JSONDecoder().decode(Wire.UserRecord.self, from: data)
        return (try decoded.model(kind: record.kind, id: record.id), object)
    }

    @Test("A record written once sends one clock and no per-field clocks")
    func writtenOnce() throws {
        let record = UserRecord(
            kind: .highlight, id: "h1", fields: ["briefingID": .string("b"), "color": .string("yellow"), "anchor": Self.anchor],
            clocks: ["briefingID": Self.a, "color": Self.a, "anchor": Self.a])
        let (back, object) = try Self.roundTrip(record)
        #expect(back == record)
        #expect(object["clock"] as? String == Self.a.description)
        #expect(object["clocks"] == nil)
    }

    @Test("A field edited later is listed; the shared clock is the one most fields carry")
    func editedLater() throws {
        let record = UserRecord(
            kind: .highlight, id: "h1", fields: ["briefingID": .string("b"), "color": .string("pink"), "anchor": Self.anchor],
            clocks: ["briefingID": Self.a, "color": Self.b, "anchor": Self.a])
        let (back, object) = try Self.roundTrip(record)
        #expect(back == record)
        #expect(object["clock"] as? String == Self.a.description)
        #expect(object["clocks"] as? [String: String] == ["color": Self.b.description])
    }

    @Test("Clocks of removed fields, fields without clocks and deleted records survive the trip")
    func irregular() throws {
        let removedField = UserRecord(
            kind: .tag, id: "t1", fields: ["briefingID": .string("b"), "name": .string("energy"), "removes": .strings(["x1"])],
            clocks: ["briefingID": Self.a, "name": Self.a, "removes": Self.a, "adds": Self.b])
        let unclocked = UserRecord(
            kind: .note, id: "n1", fields: ["briefingID": .string("b"), "text": .string("t")], clocks: ["text": Self.b])
        let deleted = UserRecord(
            kind: .note, id: "n2", fields: [:], clocks: ["text": Self.a], deleted: true, deletedAt: Self.b, deleteSeen: Self.a)
        let tie = UserRecord(
            kind: .bookmark, id: "k1", fields: ["briefingID": .string("b"), "bookmarked": .bool(true)], clocks: ["briefingID": Self.a, "bookmarked": Self.b])
        for record in [removedField, unclocked, deleted, tie] {
            let (back, _) = try Self.roundTrip(record)
            #expect(back == record)
        }
        #expect(try Self.roundTrip(unclocked).1["clock"] == nil)
        // A tie between clocks picks the newest, so every server sends the same bytes.
        #expect(try Self.roundTrip(tie).1["clock"] as? String == Self.b.description)
    }

    @Test("A field set to no value travels as `cleared`, in a record and in a mutation, and comes back as no value")
    func cleared() throws {
        let record = UserRecord(
            kind: .note, id: "n1", fields: ["briefingID": .string("b"), "text": .string("t"), "highlightID": .null],
            clocks: ["briefingID": Self.a, "text": Self.a, "highlightID": Self.b])
        let (back, object) = try Self.roundTrip(record)
        #expect(back == record)
        let fields = object["fields"] as? [String: Any]
        #expect(fields?["cleared"] as? [String] == ["highlightID"])
        #expect(fields?.keys.contains("highlightID") == false)

        let mutation = Mutation(mutationID: 7, kind: .note, id: "n1", op: .upsert, hlc: Self.b, fields: ["highlightID": .null])
        let data = try JSONEncoder().encode(Wire.Mutation(mutation))
        #expect(try JSONDecoder().decode(Wire.Mutation.self, from: data).model() == mutation)
        // Without `cleared` the same bytes would say "highlightID not changed".
        #expect(String(decoding: data, as: UTF8.self).contains(#""cleared":["highlightID"]"#))
    }

    @Test("A field both given a value and cleared is refused with the field named")
    func setAndCleared() throws {
        let json = #"{"highlightID":"h1","cleared":["highlightID"]}"#
        let wire = try JSONDecoder().decode(Wire.RecordFields.self, from: Data(json.utf8))
        #expect(throws: WireError("`highlightID` is both given a value and cleared")) { try wire.model() }
    }

    @Test("A malformed shared clock is refused with the field named")
    func malformed() throws {
        let json = #"{"fields":{"color":"yellow"},"clock":"yesterday","deleted":false}"#
        let wire = try JSONDecoder().decode(Wire.UserRecord.self, from: Data(json.utf8))
        #expect(throws: WireError.self) { try wire.model(kind: .highlight, id: "h1") }
        do {
            _ = try wire.model(kind: .highlight, id: "h1")
        } catch {
            #expect(error.message.contains("clock"))
        }
    }
}

extension WireFormTests {
    @Test("Every field that can hold no value can be cleared on the wire")
    func everyOptionalFieldClears() {
        for kind in EntityKind.allCases where kind.isUserData {
            for spec in EntitySchema.fields(of: kind) where spec.type == .optionalString {
                #expect(Wire.RecordFields.ClearedPayloadPayload(rawValue: spec.name) != nil, "\(kind.rawValue).\(spec.name)")
            }
        }
    }

    @Test("A field cleared twice is refused as such")
    func clearedTwice() throws {
        let json = #"{"cleared":["highlightID","highlightID"]}"#
        let wire = try JSONDecoder().decode(Wire.RecordFields.self, from: Data(json.utf8))
        #expect(throws: WireError("`cleared` names a field twice")) { try wire.model() }
    }
}
