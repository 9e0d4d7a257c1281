import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 client over a plain socket: the body exactly as the server sent it
/// (URLSession on Linux inflates gzip bodies on its own, which hides the bytes on the wire).
enum LoopbackHTTP {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    /// `GET path` on 127.0.0.1:`port`, on a thread of its own: the socket calls block, and a
    /// blocked thread of Swift's small shared pool (two on two cores) could be the one the
    /// in-process server needs to answer.
    static func get(port: Int, path: String, headers: [String: String]) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingGet(port: port, path: path, headers: headers) }) }.start()
        }
    }

    /// `GET path` on 127.0.0.1:`port`, with `Connection: close`; the body must carry a Content-Length.
    static func blockingGet(port: Int, path: String, headers: [String: String]) throws -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("cannot open a socket") }
        defer { close(fd) }
        var address = loopbackAddress(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("cannot connect to 127.0.0.1:\(port)") }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("the request could not be sent") }
            sent += n
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        guard let split = response.firstRange(of: Array("\r\n\r\n".utf8)) else { throw BenchError("no HTTP header in the response") }
        let head = String(decoding: response[..<split.lowerBound], as: UTF8.self).split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw BenchError("no HTTP status line")
        }
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = Array(response[split.upperBound...])
        if let length = fields["content-length"].flatMap(Int.init), length != body.count {
            throw BenchError("the body has \(body.count) bytes, not the \(length) its Content-Length says")
        }
        return Response(status: status, headers: fields, body: body)
    }
}
