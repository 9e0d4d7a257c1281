import SyncAPI

/// Why a sync, login or logout failed. Nothing pending is lost in any of these cases.
public struct SyncClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// No connection, or it broke mid-request.
        case unreachable
        /// The server refused the credentials or token.
        case unauthorized
        /// The store has no login.
        case notLoggedIn = "not_logged_in"
        /// The server answered with an error.
        case server
        /// The server's answer did not follow the protocol.
        case protocolViolation = "protocol_violation"
        /// The store is logged in already; log out first.
        case alreadyLoggedIn = "already_logged_in"
        /// Too many login attempts; the message says when to try again.
        case rateLimited = "rate_limited"
        /// A value given to the client is outside what the protocol allows.
        case invalidInput = "invalid_input"
    }

    public var code: Code
    public var message: String
    /// The server's own error code (`bad_request`, `unauthorized`, `unavailable` …), when the
    /// server answered with one.
    public var serverCode: String?

    public init(_ code: Code, _ message: String, serverCode: String? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
    }

    /// An error the server answered with: its message (after `prefix`) and its code.
    init(_ code: Code, serverError body: Components.Schemas._Error, prefix: String = "") {
        self.init(code, prefix + body.message, serverCode: body.error)
    }

    public var description: String { message }
}
