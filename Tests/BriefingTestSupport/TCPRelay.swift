import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on a loopback port of its own, in front of a server that may go away: a client
/// keeps one address while the test cuts the network (every connection dropped, new ones
/// closed at once) and brings it back, to the same server or to a restarted one on another
/// port. Blocking sockets on threads of its own, never the cooperative pool.
public final class TCPRelay: @unchecked Sendable {
    /// The relay's own port, on 127.0.0.1.
    public let port: Int
    private let listener: Int32
    /// The backend port; 0 while the network is cut.
    private let backend: Atomic<Int>
    private let open = Mutex<Set<Int32>>([])
    private let closed = Atomic<Bool>(false)

    /// A relay to 127.0.0.1:`backendPort`.
    public init(to backendPort: Int) throws {
        backend = Atomic(backendPort)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("socket() failed: \(errno)") }
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            close(descriptor)
            throw TestSupportError("cannot listen: \(errno)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = Int(UInt16(bigEndian: actual.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { shutDown() }

    /// Cuts the network: every relayed connection is dropped, and new ones are closed at once.
    public func cut() {
        backend.store(0, ordering: .sequentiallyConsistent)
        for descriptor in open.withLock({ $0 }) { shutdown(descriptor, Int32(SHUT_RDWR)) }
    }

    /// Relays again, to 127.0.0.1:`backendPort`.
    public func restore(to backendPort: Int) {
        backend.store(backendPort, ordering: .sequentiallyConsistent)
    }

    /// Stops accepting and drops every connection.
    public func shutDown() {
        guard !closed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        cut()
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while !closed.load(ordering: .sequentiallyConsistent) {
            let client = accept(listener, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return
            }
            let target = backend.load(ordering: .sequentiallyConsistent)
            guard target != 0, let server = Self.connect(to: target) else {
                close(client)
                continue
            }
            open.withLock { _ = $0.insert(client); _ = $0.insert(server) }
            let done = Atomic<Int>(0)
            for (from, to) in [(client, server), (server, client)] {
                let thread = Thread { [self] in
                    pump(from, to)
                    shutdown(to, Int32(SHUT_RDWR))
                    shutdown(from, Int32(SHUT_RDWR))
                    if done.add(1, ordering: .sequentiallyConsistent).newValue == 2 {
                        open.withLock { _ = $0.remove(client); _ = $0.remove(server) }
                        close(client)
                        close(server)
                    }
                }
                thread.start()
            }
        }
    }

    private func pump(_ from: Int32, _ to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(from, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                let wrote = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                if wrote < 0 && errno == EINTR { continue }
                guard wrote > 0 else { return }
                sent += wrote
            }
        }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func connect(to port: Int) -> Int32? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }
}
