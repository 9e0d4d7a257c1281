import Foundation
import HTTPTypes
import Hummingbird
import BriefingModel
import Synchronization
import SyncServerCore

/// A long-poll's state across the passes `LongPollMiddleware` makes through the handler: the
/// deadline the first pass set, and what the last pass found to wait for.
final class LongPollSlot: @unchecked Sendable {
    @TaskLocal static var current: LongPollSlot?

    // Set by the handler during a pass, read by the middleware between passes: one task at a time.
    var deadline: ContinuousClock.Instant?
    var park: PollPark?
    /// The cursor the last pass's page ended at (past the device's own writes it skipped):
    /// the next pass reads on from there, not from the request's cursor again.
    var cursor: String?
}

/// Holds a long-poll's wait (`GET /v1/changes?wait=N`) in the outermost layers, not in the
/// handler.
///
/// A request waiting inside the handler keeps every suspended call under it: the router's
/// middleware, the generated server, its middleware, the handler, the service and the kernel,
/// about 50 kB of async frames per waiting request (most of what a thousand idle watchers
/// cost), and a task keeps the memory of its frames until it ends. So each pass through the
/// handler runs in a child task, and the handler, when it finds nothing to answer, says what
/// to wait for (`LongPollSlot.park`) and answers the empty page at once: the pass ends, its
/// task and frames are freed, and the wait holds only the frames above this middleware. When a commit concerns
/// the reader's scopes, the request goes through again (authenticated afresh, so a revoked
/// token or entitlement holds), until there is something to answer or the deadline passes;
/// at the deadline the empty page already made is the answer.
///
/// Request logs and metrics sit outside it, so they see one request for the whole wait.
struct LongPollMiddleware<Context: RequestContext>: RouterMiddleware {
    /// How many long-polls go through the handler at once. A thousand watchers polling
    /// together (they all connect when a node starts, and their deadlines then come round
    /// together) would otherwise hold the handler's frames all at once; the rest wait their
    /// turn here, holding little. Passes are short (they never wait for commits), and the
    /// work is bound by the cores anyway.
    static var concurrentPasses: Int { 16 }

    let gate = PassGate(slots: Self.concurrentPasses)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Only long-polls: a pull that answers at once goes straight through, ungated.
        guard request.method == .get, request.uri.path == "/v1/changes",
            let wait = request.uri.queryParameters["wait"].flatMap({ Int($0) }), wait > 0
        else { return try await next(request, context) }
        let slot = LongPollSlot()
        while true {
            slot.park = nil
            await gate.enter()
            let response: Response
            do {
                response = try await LongPollSlot.$current.withValue(slot) { try await Self.pass(request, context, next) }
                gate.leave()
            } catch {
                gate.leave()
                throw error
            }
            guard response.status == .ok, let park = slot.park, let deadline = slot.deadline else { return response }
            do {
                guard try await park.wait(until: deadline) else { return response }
            } catch {
                // `busy`: too many wait on this node. Stamped as `ProtocolMiddleware` (inside
                // this one, so not around this answer) stamps every other.
                let status = ErrorBody.status(for: error.code)
                var answer =
                    status == .internalServerError
                    ? ErrorBody.response(status, code: "internal", message: "the server failed; it has logged why")
                    : ErrorBody.response(status, code: error.code.rawValue, message: error.message, retryAfter: error.retryAfter)
                answer.headers[ProtocolMiddleware<Context>.versionHeader] = String(SyncProtocol.version)
                return answer
            }
        }
    }

    /// One pass through the handler in a child task: a task keeps the memory its calls took
    /// until it ends, so the handler's frames are given back when the pass is over.
    private static func pass(
        _ request: Request, _ context: Context, _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try await withoutActuallyEscaping(next) { next in
            // The child calls `next` while this task waits for it, never both at once.
            let handler = UncheckedSendable(next)
            return try await withThrowingTaskGroup(of: Response.self) { group in
                group.addTask { try await handler.value(request, context) }
                return try await group.next()!
            }
        }
    }
}

/// A value handed to a child task that the parent does not touch until the child is done.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A counting gate: `enter` waits while all its slots are taken; `leave` frees one, handing it
/// to the longest waiter. Waits are not cancelled: each is for passes that never wait on
/// commits themselves, so a queued request gets its turn (a burst of long-polls queues for
/// as long as the passes ahead of it take to run).
final class PassGate: Sendable {
    private struct State {
        var free: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>

    init(slots: Int) { state = Mutex(State(free: slots)) }

    func enter() async {
        let entered = state.withLock { state -> Bool in
            guard state.free > 0 else { return false }
            state.free -= 1
            return true
        }
        if entered { return }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                // A slot may have come free since the check above.
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.free += 1
                return nil
            }
            let next = state.waiting[state.head]
            state.head += 1
            // Compact once the served part is most of the queue.
            if state.head > 64, state.head * 2 > state.waiting.count {
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
