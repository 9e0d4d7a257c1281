import Foundation
import PostgresNIO

/// Where a PostgreSQL database is: `postgres://user[:password]@host[:port]/database`.
///
/// `postgresql://` is accepted too. As with libpq, a `host` query parameter that is a
/// directory (`?host=/run/postgresql`) connects over the Unix socket in it instead of TCP,
/// `sslmode=disable|prefer|require` chooses TLS (the default is `prefer` over TCP), and
/// `schema=NAME` keeps Briefings' tables in a schema of their own (several deployments, or
/// lab runs, in one database).
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    /// A directory holding the server's Unix socket, instead of `host`.
    public var socketDirectory: String?
    public var sslMode: String
    /// The schema holding the tables; nil for the user's default search path.
    public var schema: String?

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws(URLError) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw URLError("not a postgres:// URL: \(Self.redacted(text))")
        }
        guard let user = components.user, !user.isEmpty else {
            throw URLError("the URL names no user (postgres://USER@HOST/DATABASE)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw URLError("the URL names no database (postgres://USER@HOST/DATABASE)")
        }
        self.user = user
        password = components.password
        port = components.port ?? 5432
        self.database = database
        var host = components.host ?? ""
        var sslMode = "prefer"
        for item in components.queryItems ?? [] {
            switch item.name {
            case "host":
                guard let value = item.value, !value.isEmpty else { throw URLError("the URL's host parameter is empty") }
                if value.hasPrefix("/") { socketDirectory = value } else { host = value }
            case "sslmode":
                guard let value = item.value, ["disable", "prefer", "require"].contains(value) else {
                    throw URLError("sslmode must be disable, prefer or require")
                }
                sslMode = value
            case "schema":
                guard let value = item.value, Self.isPlainName(value) else {
                    throw URLError("schema must be 1–63 lower-case letters, digits or '_', starting with a letter")
                }
                schema = value
            default:
                throw URLError("unknown URL parameter \(item.name) (known: host, sslmode, schema)")
            }
        }
        guard socketDirectory != nil || !host.isEmpty else { throw URLError("the URL names no host") }
        self.host = host.isEmpty ? "localhost" : host
        self.sslMode = sslMode
    }

    /// A name that needs no quoting in SQL.
    static func isPlainName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first), name.utf8.count <= 63 else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// This URL with its tables in `schema`.
    public func inSchema(_ schema: String) throws(URLError) -> DatabaseURL {
        guard Self.isPlainName(schema) else { throw URLError("schema must be 1–63 lower-case letters, digits or '_'") }
        var url = self
        url.schema = schema
        return url
    }

    /// The URL without its password, for logs and banners.
    public var description: String { description(withPassword: false) }

    /// The URL as text; with its password only when asked, to open it again.
    public func description(withPassword: Bool) -> String {
        var credentials = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? user
        if withPassword, let password {
            credentials += ":" + (password.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed) ?? password)
        }
        var text = "postgres://\(credentials)@\(host):\(port)/\(database)"
        var parameters: [String] = []
        if let socketDirectory { parameters.append("host=\(socketDirectory)") }
        if let schema { parameters.append("schema=\(schema)") }
        if sslMode != "prefer" { parameters.append("sslmode=\(sslMode)") }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// `text` with any password replaced, for error messages.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "***"
        return components.string ?? "the URL"
    }

    /// The client configuration for this URL.
    func configuration() throws -> PostgresClient.Configuration {
        if let socketDirectory {
            return PostgresClient.Configuration(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        }
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        return PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
    }

    /// A URL that cannot be used.
    public struct URLError: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
