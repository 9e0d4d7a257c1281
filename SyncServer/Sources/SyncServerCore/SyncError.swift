/// An error of the sync service, with a stable code the HTTP layer maps to a status.
public struct SyncError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong; the raw value is the `error` field of the JSON error body.
    public enum Code: String, Sendable {
        case badRequest = "bad_request"
        case badCursor = "bad_cursor"
        case resyncRequired = "resync_required"
        case unauthorized = "unauthorized"
        case invalidCredentials = "invalid_credentials"
        case mutationOrder = "mutation_order"
        case mutationGap = "mutation_gap"
        case wrongClient = "wrong_client"
        case userExists = "user_exists"
        case userNotFound = "user_not_found"
        case notFound = "not_found"
        /// A device asked for a publication its account is not entitled to.
        case notEntitled = "not_entitled"
        case storage = "storage"
        /// Too many login attempts for a user name or from an address; `retryAfter` says when.
        case rateLimited = "rate_limited"
        /// The server is at a bound of its own (too many password checks at once).
        case busy = "busy"
        /// The server cannot reach its database just now; `retryAfter` says when to try again.
        case unavailable = "unavailable"
    }

    public var code: Code
    public var message: String
    /// Seconds after which the request may be tried again (the `Retry-After` header).
    public var retryAfter: Int?

    public init(_ code: Code, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}
