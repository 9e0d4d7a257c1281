import BriefingModel
import Foundation
import PostgresNIO
import SyncServerCore

extension PostgresServerStore {
    public func createAccount(id: String, name: String, passwordHash: String, now: Date) async throws -> Account {
        let created = Timestamp.text(now)
        return try await transaction("create the account") { connection in
            var inserted = false
            for try await _ in try await connection.query(
                """
                INSERT INTO account (id, name, password_hash, created_at) VALUES (\(id), \(name), \(passwordHash), \(created))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger
            ).decode(String.self) {
                inserted = true
            }
            guard inserted else { throw SyncError(.userExists, "user \(name) already exists") }
            return Account(id: id, name: name, createdAt: created, devices: 0)
        }
    }

    public func accounts() async throws -> [Account] {
        try await run("list the accounts") { connection in
            var accounts: [Account] = []
            for try await (id, name, created, devices) in try await connection.query(
                """
                SELECT a.id, a.name, a.created_at,
                  (SELECT count(*) FROM device d WHERE d.account_id = a.id AND d.revoked_at IS NULL)::bigint
                FROM account a ORDER BY a.name COLLATE "C"
                """, logger: logger
            ).decode((String, String, String, Int64).self) {
                accounts.append(Account(id: id, name: name, createdAt: created, devices: Int(devices)))
            }
            return accounts
        }
    }

    public func credentials(name: String) async throws -> (id: String, passwordHash: String)? {
        try await run("read the account") { connection in
            for try await (id, hash) in try await connection.query(
                "SELECT id, password_hash FROM account WHERE name = \(name)", logger: logger
            ).decode((String, String).self) {
                return (id, hash)
            }
            return nil
        }
    }

    /// Locks the account first, so a push of it in flight finishes before its records go.
    public func removeAccount(name: String) async throws {
        try await transaction("remove the account") { connection in
            var id: String?
            for try await value in try await connection.query("SELECT id FROM account WHERE name = \(name) FOR UPDATE", logger: logger)
                .decode(String.self)
            {
                id = value
            }
            guard let id else { throw SyncError(.userNotFound, "no user \(name)") }
            try await connection.query("DELETE FROM record WHERE owner = \(id)", logger: logger)
            try await connection.query("DELETE FROM account WHERE id = \(id)", logger: logger)
        }
    }

    public func createDevice(id: String, accountID: String, name: String?, tokenHash: String, now: Date) async throws {
        try await run("register the device") { connection in
            try await connection.query(
                """
                INSERT INTO device (id, account_id, name, token_hash, created_at)
                VALUES (\(id), \(accountID), \(name), \(tokenHash), \(Timestamp.text(now)))
                """, logger: logger)
        }
    }

    public func principal(tokenHash: String) async throws -> Principal? {
        try await run("check the token") { connection in
            // One round trip on every authenticated request: the device, its account and the
            // account's entitlements (keys are letters, digits, hyphens or `*`: no commas).
            for try await (deviceID, accountID, user, subscriptions, entitled) in try await connection.query(
                """
                SELECT d.id, a.id, a.name, d.subscriptions,
                       COALESCE((SELECT string_agg(e.publication, ',') FROM entitlement e WHERE e.account_id = a.id), '')
                FROM device d JOIN account a ON a.id = d.account_id
                WHERE d.token_hash = \(tokenHash) AND d.revoked_at IS NULL
                """, logger: logger
            ).decode((String, String, String, String?, String).self) {
                return Principal(
                    accountID: accountID, user: user, deviceID: deviceID,
                    entitlements: Entitlements(stored: entitled.split(separator: ",").map(String.init)),
                    subscriptions: Subscriptions.parse(subscriptions))
            }
            return nil
        }
    }

    // MARK: Entitlements

    public func setSubscriptions(deviceID: String, _ keys: Set<String>?) async throws {
        try await run("store the subscriptions") { connection in
            try await connection.query(
                "UPDATE device SET subscriptions = \(Subscriptions.stored(keys)) WHERE id = \(deviceID)", logger: logger)
        }
    }

    private func accountID(_ connection: PostgresConnection, name: String) async throws -> String? {
        for try await id in try await connection.query("SELECT id FROM account WHERE name = \(name)", logger: logger).decode(String.self) {
            return id
        }
        return nil
    }

    @discardableResult
    public func grant(name: String, publication: String) async throws -> Bool {
        try await run("grant an entitlement") { connection in
            guard let id = try await accountID(connection, name: name) else { return false }
            try await connection.query(
                "INSERT INTO entitlement (account_id, publication) VALUES (\(id), \(publication)) ON CONFLICT DO NOTHING", logger: logger)
            return true
        }
    }

    @discardableResult
    public func revoke(name: String, publication: String) async throws -> Bool {
        try await run("revoke an entitlement") { connection in
            guard let id = try await accountID(connection, name: name) else { return false }
            try await connection.query("DELETE FROM entitlement WHERE account_id = \(id) AND publication = \(publication)", logger: logger)
            return true
        }
    }

    public func entitlements(name: String) async throws -> [String]? {
        try await run("read the entitlements") { connection in
            guard let id = try await accountID(connection, name: name) else { return nil }
            var keys: [String] = []
            for try await key in try await connection.query(
                "SELECT publication FROM entitlement WHERE account_id = \(id) ORDER BY publication", logger: logger
            ).decode(String.self) {
                keys.append(key)
            }
            return keys
        }
    }

    public func briefing(revisionID: String) async throws -> (body: String, topic: String)? {
        try await run("read the body") { connection in
            for try await (body, topic) in try await connection.query(
                """
                SELECT body, topic FROM record
                WHERE (((body::jsonb) -> 'revision') ->> 'id') = \(revisionID) AND kind = 'briefing' AND owner = '' AND NOT deleted
                """, logger: logger
            ).decode((String, String).self) {
                return (body, topic)
            }
            return nil
        }
    }

    public func publication(ofBriefing id: String) async throws -> String? {
        try await run("read the briefing") { connection in
            for try await publication in try await connection.query(
                "SELECT (body::jsonb) ->> 'publication' FROM record WHERE owner = '' AND kind = 'briefing' AND id = \(id)", logger: logger
            ).decode(String?.self) {
                return publication
            }
            return nil
        }
    }

    public func publications() async throws -> [(key: String, name: String, briefings: Int)] {
        try await run("read the publications") { connection in
            var out: [(key: String, name: String, briefings: Int)] = []
            for try await (key, name, count) in try await connection.query(
                """
                SELECT topic, min((body::jsonb) ->> 'publication'), count(*) FROM record
                WHERE owner = '' AND kind = 'briefing' AND NOT deleted AND topic <> '' GROUP BY topic ORDER BY topic
                """, logger: logger
            ).decode((String, String, Int64).self) {
                out.append((key, name, Int(count)))
            }
            return out
        }
    }

    @discardableResult
    public func revokeDevice(id: String, now: Date) async throws -> Bool {
        try await run("revoke the device") { connection in
            var revoked = false
            for try await _ in try await connection.query(
                "UPDATE device SET revoked_at = \(Timestamp.text(now)) WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: logger
            ).decode(String.self) {
                revoked = true
            }
            return revoked
        }
    }

    public func devices(ofUser name: String) async throws -> [DeviceInfo]? {
        try await run("list the devices") { connection in
            var account: String?
            for try await id in try await connection.query("SELECT id FROM account WHERE name = \(name)", logger: logger).decode(String.self) {
                account = id
            }
            guard let account else { return nil }
            var devices: [DeviceInfo] = []
            for try await (id, deviceName, created, revoked, last) in try await connection.query(
                """
                SELECT id, name, created_at, revoked_at, last_mutation_id FROM device WHERE account_id = \(account)
                ORDER BY created_at DESC, id COLLATE "C"
                """, logger: logger
            ).decode((String, String?, String, String?, Int64).self) {
                devices.append(DeviceInfo(id: id, name: deviceName, createdAt: created, revokedAt: revoked, lastMutationID: last))
            }
            return devices
        }
    }

    // MARK: Content

    func firstString(_ what: String, _ query: PostgresQuery) async throws -> String? {
        try await run(what) { connection in
            for try await value in try await connection.query(query, logger: logger).decode(String.self) { return value }
            return nil
        }
    }

    func strings(_ what: String, _ query: PostgresQuery) async throws -> [String] {
        try await run(what) { connection in
            var values: [String] = []
            for try await value in try await connection.query(query, logger: logger).decode(String.self) { values.append(value) }
            return values
        }
    }

    public func briefingBody(id: String) async throws -> String? {
        try await firstString(
            "read the briefing", "SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND id = \(id) AND NOT deleted")
    }

    public func briefingCount() async throws -> Int {
        Int(
            try await firstString(
                "count the briefings", "SELECT count(*)::text FROM record WHERE owner = '' AND kind = 'briefing' AND NOT deleted") ?? "0"
        ) ?? 0
    }

    public func briefingIDExists(_ id: String) async throws -> Bool {
        try await firstString("read the briefing", "SELECT id FROM record WHERE owner = '' AND kind = 'briefing' AND id = \(id)") != nil
    }

    public func findBriefingBody(
        field: String, value: String, publication: String?, matchPublication: Bool, withoutSourceURL: Bool
    ) async throws -> String? {
        guard ["sourceURL", "title"].contains(field) else { throw SyncError(.storage, "briefings are not found by \(field)") }
        return try await firstString(
            "find the briefing",
            """
            SELECT body FROM record WHERE owner = '' AND kind = 'briefing' AND NOT deleted
            AND ((body::jsonb) ->> \(field)) = \(value)
            AND (NOT \(matchPublication) OR ((body::jsonb) ->> 'publication') IS NOT DISTINCT FROM \(publication))
            AND (NOT \(withoutSourceURL) OR ((body::jsonb) ->> 'sourceURL') IS NULL)
            ORDER BY seq DESC LIMIT 1
            """)
    }

    public func briefingBody(foundTitle: String, sourceURL: String?) async throws -> String? {
        try await firstString(
            "find the briefing",
            """
            SELECT record.body FROM source JOIN record
            ON record.owner = '' AND record.kind = 'briefing' AND NOT record.deleted AND record.id = source.briefing_id
            WHERE ((source.report::jsonb) ->> 'foundTitle') = \(foundTitle)
            AND (\(sourceURL)::text IS NULL OR ((record.body::jsonb) ->> 'sourceURL') IS NULL
                 OR ((record.body::jsonb) ->> 'sourceURL') = \(sourceURL))
            ORDER BY source.imported_at DESC LIMIT 1
            """)
    }

    public func editorialBodies(briefingID: String) async throws -> [String] {
        try await strings(
            "read the editorial layer",
            """
            SELECT body FROM record WHERE owner = '' AND kind = 'editorialAnnotation' AND NOT deleted
            AND ((body::jsonb) ->> 'briefingID') = \(briefingID) ORDER BY id COLLATE "C"
            """)
    }

    public func highlightBodies(briefingID: String) async throws -> [String] {
        try await strings(
            "read the highlights",
            """
            SELECT body FROM record WHERE owner <> '' AND kind = 'highlight' AND NOT deleted
            AND ((body::jsonb) -> 'fields' ->> 'briefingID') = \(briefingID)
            """)
    }

    public func source(briefingID: String, revision: Int?) async throws -> StoredSource? {
        try await run("read the source") { connection in
            let query: PostgresQuery =
                if let revision {
                    """
                    SELECT briefing_id, revision_number, revision_id, file_name, source_url, raw, report, imported_at FROM source
                    WHERE briefing_id = \(briefingID) AND revision_number = \(revision)
                    """
                } else {
                    """
                    SELECT briefing_id, revision_number, revision_id, file_name, source_url, raw, report, imported_at FROM source
                    WHERE briefing_id = \(briefingID) ORDER BY revision_number DESC LIMIT 1
                    """
                }
            for try await (id, number, revisionID, fileName, url, raw, report, imported) in try await connection.query(query, logger: logger)
                .decode((String, Int, String, String, String?, String, String, String).self)
            {
                return StoredSource(
                    briefingID: id, revisionNumber: number, revisionID: revisionID, fileName: fileName, sourceURL: url, raw: raw,
                    report: report, importedAt: Timestamp.date(imported) ?? Date(timeIntervalSince1970: 0))
            }
            return nil
        }
    }
}
