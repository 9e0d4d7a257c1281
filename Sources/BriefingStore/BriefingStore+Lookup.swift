import Foundation
import GRDB

extension BriefingStore {
    /// Which rows an ID lookup searches: a table, and an optional SQL condition on its rows.
    struct LookupScope {
        /// The table; its key column is `id`.
        var table: String
        /// A condition on the rows, such as `kind = ? AND deleted = 0`, or nil for every row.
        var condition: String?
        var arguments: StatementArguments = []
        /// What one row is called in messages: "briefing", "note", "conflict".
        var noun: String
        /// Added to the not-found message: where the reader finds the right ID.
        var hint: String = ""
    }

    /// The ID of the one row in `scope` whose ID is `idOrPrefix`, or else begins with it.
    ///
    /// An exact ID always wins, however many other IDs it begins. A prefix that begins several
    /// IDs is refused with how many and the first few, so the reader can type more of the one
    /// they mean. `%`, `_` and `\` in the prefix are taken literally.
    static func uniqueID(_ db: Database, _ idOrPrefix: String, in scope: LookupScope) throws -> String {
        guard !idOrPrefix.isEmpty else { throw StoreError(.invalid, "give a \(scope.noun) ID, or the start of one") }
        let condition = scope.condition.map { "\($0) AND " } ?? ""
        if try String.fetchOne(
            db, sql: "SELECT id FROM \(scope.table) WHERE \(condition)id = ?",
            arguments: scope.arguments + [idOrPrefix]) != nil
        {
            return idOrPrefix
        }
        let matching = "FROM \(scope.table) WHERE \(condition)id LIKE ? ESCAPE '\\'"
        let arguments = scope.arguments + [likePrefix(idOrPrefix)]
        let shown = 5
        let ids = try String.fetchAll(db, sql: "SELECT id \(matching) ORDER BY id LIMIT \(shown + 1)", arguments: arguments)
        guard let first = ids.first else {
            throw StoreError(.notFound, "no \(scope.noun) \(idOrPrefix)\(scope.hint)")
        }
        guard ids.count > 1 else { return first }
        let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(matching)", arguments: arguments) ?? ids.count
        let listed = ids.prefix(shown).joined(separator: ", ") + (count > shown ? ", …" : "")
        throw StoreError(.invalid, "\(idOrPrefix) begins \(count) \(scope.noun) IDs (\(listed)); give more of the ID")
    }

    /// `text` as a `LIKE … ESCAPE '\'` pattern that matches the strings beginning with it.
    static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }
}
