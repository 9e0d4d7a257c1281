import BriefingModel
import Foundation
import GRDB

/// Which value of a conflict the reader keeps when overturning an automatic outcome.
public enum ConflictChoice: String, CaseIterable, Sendable {
    /// The value written on this device.
    case mine
    /// The value written on the other device.
    case theirs
    /// Both (for note texts: the note and its conflict copy; for merged texts: the merge).
    case both
    /// The value the automatic outcome kept.
    case kept
    /// The value the automatic outcome dropped.
    case dropped
}

extension BriefingStore {
    /// The conflict record with ID `idOrPrefix`, or the one whose ID begins with it.
    public func conflict(_ idOrPrefix: String) async throws -> ConflictRecord {
        try await read { db in
            let id = try Self.uniqueID(
                db, idOrPrefix, in: LookupScope(table: "conflict", noun: "conflict", hint: "; see `briefing conflicts`"))
            guard let body = try String.fetchOne(db, sql: "SELECT body FROM conflict WHERE id = ?", arguments: [id]) else {
                throw StoreError(.notFound, "no conflict \(idOrPrefix)")
            }
            return try Self.decode(ConflictRecord.self, body)
        }
    }

    /// Overturns an automatic resolution: writes the chosen value as a normal edit, which syncs
    /// like any other and wins by being the newest.
    ///
    /// - Returns: what was done, in a sentence.
    @discardableResult
    public func resolveConflict(_ idOrPrefix: String, keep choice: ConflictChoice) async throws -> String {
        let conflict = try await conflict(idOrPrefix)
        let state = try await syncState()
        let chosen = try Self.choose(choice, in: conflict, deviceID: state.deviceID)
        let record = try await record(conflict.kind, id: conflict.recordID)

        switch conflict.rule {
        case .textMerge:
            guard let chosen else { return "both edits are already in the merged note; nothing to do" }
            try await change(.note, id: conflict.recordID, fields: ["text": .string(chosen.display)])
            return "note \(conflict.recordID) now reads “\(chosen.display)”"
        case .conflictCopy:
            let loser = conflict.values.first { !$0.kept }
            let copyID = loser.map { MergeRules.conflictCopyID(of: conflict.recordID, losingClock: $0.hlc) }
            guard let chosen else { return "both texts are kept: note \(conflict.recordID) and its copy \(copyID ?? "")" }
            try await change(.note, id: conflict.recordID, fields: ["text": .string(chosen.display)])
            if let copyID, let copy = try await self.record(.note, id: copyID), !copy.deleted {
                try await change(.note, id: copyID, op: .delete)
            }
            return "note \(conflict.recordID) now reads “\(chosen.display)”; its conflict copy is removed"
        case .addWins:
            guard let chosen else { return "the tag stays, as both devices' intent allows" }
            if chosen.display == "removed", let record, Tag.isPresent(record), let briefingID = record.briefingID,
                let name = record.fields["name"]?.string
            {
                try await untag(briefing: briefingID, name)
                return "tag removed"
            }
            return "the tag stays"
        case .maximum:
            return "the furthest point read only grows; nothing to do"
        case .lastWriterWins, .deleteWins, .editSurvivesDelete:
            guard let chosen else { throw StoreError(.invalid, "a \(conflict.field) holds one value; keep mine or theirs") }
            if conflict.field == "record" {
                return try await resolveExistence(conflict, chosen, record)
            }
            guard let value = chosen.fieldValue else { throw StoreError(.invalid, "this conflict's value cannot be written back") }
            guard let record, !record.deleted else { throw StoreError(.notFound, "\(conflict.kind.rawValue) \(conflict.recordID) was deleted") }
            try await change(conflict.kind, id: conflict.recordID, fields: [conflict.field: value])
            if value == .null { return "\(conflict.kind.rawValue) \(conflict.recordID): \(conflict.field) is cleared" }
            return "\(conflict.kind.rawValue) \(conflict.recordID): \(conflict.field) is now \(value)"
        }
    }

    /// Keeps a record deleted, or brings it back, as chosen.
    private func resolveExistence(_ conflict: ConflictRecord, _ chosen: ConflictValue, _ record: UserRecord?) async throws -> String {
        guard let record else { throw StoreError(.notFound, "\(conflict.kind.rawValue) \(conflict.recordID) is not in this store") }
        if chosen.display == "deleted" {
            if !record.deleted { try await change(conflict.kind, id: record.id, op: .delete) }
            return "\(conflict.kind.rawValue) \(record.id) is deleted"
        }
        if record.deleted {
            try await change(conflict.kind, id: record.id, fields: record.fields, revive: true)
            return "\(conflict.kind.rawValue) \(record.id) is restored"
        }
        return "\(conflict.kind.rawValue) \(record.id) is kept"
    }

    static func choose(_ choice: ConflictChoice, in conflict: ConflictRecord, deviceID: String?) throws -> ConflictValue? {
        switch choice {
        case .both:
            return nil
        case .kept:
            guard let value = conflict.values.first(where: \.kept) else { throw StoreError(.invalid, "no value was kept") }
            return value
        case .dropped:
            guard let value = conflict.values.first(where: { !$0.kept }) ?? conflict.values.last else {
                throw StoreError(.invalid, "no value was dropped")
            }
            return value
        case .mine, .theirs:
            let mine = conflict.values.filter { $0.deviceID == deviceID }
            guard mine.count == 1, conflict.values.count == 2 else {
                throw StoreError(
                    .invalid,
                    "neither or both values came from this device; use --keep kept or --keep dropped")
            }
            return choice == .mine ? mine[0] : conflict.values.first { $0.deviceID != deviceID }
        }
    }
}
