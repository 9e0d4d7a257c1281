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
        case storage = "storage"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
