import BriefingModel
import Foundation
import GRDB

extension SQLiteServerStore {
    /// Creates an account; the name must be new.
    public func createAccount(id: String = UUID().uuidString, name: String, passwordHash: String, now: Date) async throws -> Account {
        let created = Timestamp.text(now)
        return try await database.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM account WHERE name = ?", arguments: [name]) == true {
                throw SyncError(.userExists, "user \(name) already exists")
            }
            try db.execute(
                sql: "INSERT INTO account (id, name, passwordHash, createdAt) VALUES (?, ?, ?, ?)",
                arguments: [id, name, passwordHash, created])
            return Account(id: id, name: name, createdAt: created, devices: 0)
        }
    }

    /// Every account, by name.
    public func accounts() async throws -> [Account] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.name, a.createdAt,
                      (SELECT COUNT(*) FROM device d WHERE d.accountID = a.id AND d.revokedAt IS NULL) AS devices
                    FROM account a ORDER BY a.name
                    """
            ).map { Account(id: $0["id"], name: $0["name"], createdAt: $0["createdAt"], devices: $0["devices"]) }
        }
    }

    /// The ID and password hash of the account `name`.
    public func credentials(name: String) async throws -> (id: String, passwordHash: String)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT id, passwordHash FROM account WHERE name = ?", arguments: [name])
                .map { ($0["id"], $0["passwordHash"]) }
        }
    }

    /// Removes an account with its devices and all its data.
    public func removeAccount(name: String) async throws {
        try await database.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) else {
                throw SyncError(.userNotFound, "no user \(name)")
            }
            try db.execute(sql: "DELETE FROM record WHERE owner = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM account WHERE id = ?", arguments: [id])
        }
    }

    /// Registers a device for an account with the hash of its new token.
    public func createDevice(id: String, accountID: String, name: String?, tokenHash: String, now: Date) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO device (id, accountID, name, tokenHash, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, accountID, name, tokenHash, Timestamp.text(now)])
        }
    }

    /// The live device whose token hashes to `tokenHash`.
    public func principal(tokenHash: String) async throws -> Principal? {
        try await database.read { db in
            // One statement on every authenticated request: the device, its account and the
            // account's entitlements (keys are letters, digits, hyphens or `*`: no commas).
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT d.id AS deviceID, a.id AS accountID, a.name AS user, d.subscriptions,
                               (SELECT group_concat(e.publication, ',') FROM entitlement e WHERE e.accountID = a.id) AS entitled
                        FROM device d JOIN account a ON a.id = d.accountID
                        WHERE d.tokenHash = ? AND d.revokedAt IS NULL
                        """), arguments: [tokenHash]
            ).map { row in
                Principal(
                    accountID: row["accountID"], user: row["user"], deviceID: row["deviceID"],
                    entitlements: Entitlements(stored: ((row["entitled"] as String?) ?? "").split(separator: ",").map(String.init)),
                    subscriptions: Subscriptions.parse(row["subscriptions"]))
            }
        }
    }

    public func setSubscriptions(deviceID: String, _ keys: Set<String>?) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE device SET subscriptions = ? WHERE id = ?", arguments: [Subscriptions.stored(keys), deviceID])
        }
    }

    // MARK: Entitlements

    @discardableResult
    public func grant(name: String, publication: String) async throws -> Bool {
        try await database.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) else { return false }
            try db.execute(sql: "INSERT OR IGNORE INTO entitlement (accountID, publication) VALUES (?, ?)", arguments: [id, publication])
            return true
        }
    }

    @discardableResult
    public func revoke(name: String, publication: String) async throws -> Bool {
        try await database.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) else { return false }
            try db.execute(sql: "DELETE FROM entitlement WHERE accountID = ? AND publication = ?", arguments: [id, publication])
            return true
        }
    }

    public func entitlements(name: String) async throws -> [String]? {
        try await database.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) else { return nil }
            return try String.fetchAll(db, sql: "SELECT publication FROM entitlement WHERE accountID = ? ORDER BY publication", arguments: [id])
        }
    }

    public func publication(ofBriefing id: String) async throws -> String? {
        try await database.read { db in
            try String.fetchOne(
                db, sql: "SELECT json_extract(body, '$.publication') FROM record WHERE owner = '' AND kind = 'briefing' AND id = ?",
                arguments: [id])
        }
    }

    public func publications() async throws -> [(key: String, name: String, briefings: Int)] {
        try await database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT topic, min(json_extract(body, '$.publication')) AS name, count(*) AS briefings FROM record
                    WHERE owner = '' AND kind = 'briefing' AND deleted = 0 AND topic <> '' GROUP BY topic ORDER BY topic
                    """
            ).map { (key: $0["topic"], name: $0["name"], briefings: $0["briefings"]) }
        }
    }

    /// Revokes a device's token.
    @discardableResult
    public func revokeDevice(id: String, now: Date) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE device SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL",
                arguments: [Timestamp.text(now), id])
            return db.changesCount > 0
        }
    }

    public func devices(ofUser name: String) async throws -> [DeviceInfo]? {
        try await database.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM account WHERE name = ?", arguments: [name]) else { return nil }
            return try Row.fetchAll(
                db,
                sql: "SELECT id, name, createdAt, revokedAt, lastMutationID FROM device WHERE accountID = ? ORDER BY createdAt DESC, id",
                arguments: [id]
            ).map {
                DeviceInfo(id: $0["id"], name: $0["name"], createdAt: $0["createdAt"], revokedAt: $0["revokedAt"], lastMutationID: $0["lastMutationID"])
            }
        }
    }
}
