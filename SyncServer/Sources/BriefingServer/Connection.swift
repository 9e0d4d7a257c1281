import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// The request context: Hummingbird's core storage and the client's address.
public struct BriefingRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address (nil for requests that do not come over a socket).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The client address of the request being handled, for the per-address login limit; set by
/// `ClientAddressMiddleware` (the generated handlers never see the request context).
enum RequestClient {
    @TaskLocal static var address: String?
}

/// Makes the client's IP address available to the API handlers: the peer's, or, when the peer
/// is a trusted proxy, the nearest address in `X-Forwarded-For` that is not one.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = BriefingRequestContext
    var trustedProxies: Set<String> = []

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await RequestClient.$address.withValue(Self.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: trustedProxies)) {
            try await next(request, context)
        }
    }

    /// Reads `X-Forwarded-For` from the right: each trusted proxy appends the address it heard
    /// from, so the first untrusted one is the client. Anything left of it is the client's own
    /// claim and is ignored.
    static func client(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String? {
        guard let peer, trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !hop.isEmpty && !trusted.contains(hop) { return hop }
        return peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// Closes connections that are too slow to send a request.
///
/// Two deadlines: the whole request head must arrive within `head` of the connection opening
/// or of the previous response ending (which also bounds an idle keep-alive connection), and
/// the whole body within `body` of its head. A client that dribbles bytes to keep a connection
/// open (slowloris) is cut off when its deadline passes, however steadily it dribbles. The
/// handler sits after the HTTP codec, one per connection, and runs on the channel's event loop.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let head: TimeAmount
    private let body: TimeAmount
    private var timer: Scheduled<Void>?
    /// Between a request's head and its end.
    private var readingBody = false

    init(head: TimeAmount, body: TimeAmount) {
        self.head = head
        self.body = body
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, after: head)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingBody = true
            arm(context, after: body)
        case .body:
            break
        case .end:
            readingBody = false
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // The response is done: the next request's head has `head` to arrive. While the body
        // of this request is still coming in (an early error answer), its deadline stands.
        if case .end = unwrapOutboundIn(data), !readingBody {
            arm(context, after: head)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            loopBound.value.close(promise: nil)
        }
    }
}
