import Foundation
import GRDB
import SyncServerCore

/// Compares a migrated database with the schema file in `Schemas/`.
public enum SchemaFiles {
    /// The package's root directory.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The statements of `Schemas/NAME`, comments dropped, whitespace normalized.
    public static func statements(inFile name: String) throws -> [String] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Schemas").appendingPathComponent(name), encoding: .utf8)
        let withoutComments = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            .joined(separator: "\n")
        // A trigger's body has semicolons of its own: its statement runs to its END.
        var statements: [String] = []
        for piece in withoutComments.split(separator: ";").map(normalize) where !piece.isEmpty {
            if let last = statements.last, last.hasPrefix("CREATE TRIGGER"), !last.hasSuffix(" END") {
                statements[statements.count - 1] = last + "; " + piece
            } else {
                statements.append(piece)
            }
        }
        return statements
    }

    /// The schema statements of a database, tables first, in name order, as `Schemas/` lists them.
    public static func statements(in database: any DatabaseReader) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT sql FROM sqlite_master
                    WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                    AND sql NOT LIKE 'CREATE TABLE ''%'
                    ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, name
                    """)
        }.map(normalize)
    }

    static func normalize<S: StringProtocol>(_ statement: S) -> String {
        statement.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

extension SyncService {
    /// The embedded store under this service, for tests that look inside its database.
    public var sqlite: SQLiteServerStore {
        guard let store = store as? SQLiteServerStore else { preconditionFailure("the service does not run over SQLite") }
        return store
    }
}
