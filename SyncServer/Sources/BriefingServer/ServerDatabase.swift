import Foundation
import Logging
import SyncServerCore
import SyncServerPostgres

/// Opens the store a `--database` names: a `postgres://` URL, or the path of an SQLite file.
public enum ServerDatabase {
    /// Whether `location` names a PostgreSQL database.
    public static func isPostgres(_ location: String) -> Bool { DatabaseURL.isPostgres(location) }

    /// The store at `location`, migrated.
    ///
    /// - Parameters:
    ///   - create: whether a store that does not exist yet (an SQLite file, or a PostgreSQL
    ///     database without Briefings' tables) may be set up; otherwise it is refused.
    ///   - fsync: SQLite only: `synchronous = FULL` (the default) or `OFF` (simulations).
    ///   - maxConnections: PostgreSQL only: the connection pool's size.
    public static func open(
        _ location: String, create: Bool = true, fsync: Bool = true, maxConnections: Int = 10,
        logger: Logger = Logger(label: "briefings.database")
    ) async throws -> any ServerStorage {
        if isPostgres(location) {
            let url: DatabaseURL
            do {
                url = try DatabaseURL(location)
            } catch {
                throw SyncError(.storage, "\(error)")
            }
            return try await PostgresServerStore(url: url, create: create, maxConnections: maxConnections, logger: logger)
        }
        guard create || FileManager.default.fileExists(atPath: location) else {
            throw SyncError(.storage, "no database at \(location)")
        }
        return try SQLiteServerStore(path: location, fsync: fsync)
    }

    /// `location` as it may be shown: a URL without its password.
    public static func describe(_ location: String) -> String {
        isPostgres(location) ? ((try? DatabaseURL(location).description) ?? DatabaseURL.redacted(location)) : location
    }
}
