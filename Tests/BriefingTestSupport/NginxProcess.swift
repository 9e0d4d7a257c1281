import Foundation

/// Debian's nginx in front of server nodes, run from `SyncServer/nginx-briefings.conf` as
/// shipped, with its upstream ports and its `listen` line replaced, in a temporary prefix.
public final class NginxProcess: Sendable {
    public let port: Int
    let pid: pid_t
    let prefix: String

    /// The base URL.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// The access log: one line per proxied request, with the node that served it.
    public var accessLog: String { (try? String(contentsOfFile: prefix + "/access.log", encoding: .utf8)) ?? "" }

    private init(port: Int, pid: pid_t, prefix: String) {
        self.port = port
        self.pid = pid
        self.prefix = prefix
    }

    /// Starts nginx balancing over `nodes` (their ports), on a free loopback port.
    public static func start(nodes: [Int]) async throws -> NginxProcess {
        guard let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestSupportError("nginx is not installed; install it with `apt-get install nginx` (bash .ci/run does)")
        }
        let shipped = try String(
            contentsOf: SchemaFiles.packageRoot.appendingPathComponent("SyncServer/nginx-briefings.conf"), encoding: .utf8)
        let servers = shipped.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("server 127.0.0.1:") }
        guard servers.count == nodes.count else { throw TestSupportError("the shipped nginx file has \(servers.count) nodes, not \(nodes.count)") }
        // A port is free when picked, but another process may take it before nginx binds it:
        // then nginx exits at once, and another port is tried.
        for _ in 0..<5 {
            let port = try freePort()
            let prefix = TemporaryDirectory.make().path
            var site = shipped.replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(port);")
            for (line, node) in zip(servers, nodes) {
                site = site.replacingOccurrences(of: String(line), with: line.replacingOccurrences(of: #":\d+ "#, with: ":\(node) ", options: .regularExpression))
            }
            try site.write(toFile: prefix + "/briefings.conf", atomically: true, encoding: .utf8)
            let main = """
                daemon off;
                worker_processes 1;
                \(getuid() == 0 ? "user root;" : "")
                pid \(prefix)/nginx.pid;
                error_log \(prefix)/error.log info;
                events { worker_connections 512; }
                http {
                    log_format node '$request_id $request_method $uri $status upstream=$upstream_addr';
                    access_log \(prefix)/access.log node;
                    client_body_temp_path \(prefix)/body;
                    proxy_temp_path \(prefix)/proxy;
                    fastcgi_temp_path \(prefix)/fastcgi;
                    uwsgi_temp_path \(prefix)/uwsgi;
                    scgi_temp_path \(prefix)/scgi;
                    include \(prefix)/briefings.conf;
                }
                """
            try main.write(toFile: prefix + "/nginx.conf", atomically: true, encoding: .utf8)
            var pid: pid_t = 0
            let arguments: [String] = [nginx, "-p", prefix, "-c", "\(prefix)/nginx.conf", "-e", "\(prefix)/error.log"]
            let argv = arguments.map { strdup($0) }
            defer { argv.forEach { free($0) } }
            let spawned = (argv + [nil]).withUnsafeBufferPointer { pointer in
                posix_spawn(&pid, nginx, nil, nil, UnsafeMutablePointer(mutating: pointer.baseAddress!), environ)
            }
            guard spawned == 0 else { throw TestSupportError("cannot run nginx: \(String(cString: strerror(spawned)))") }
            if try await waitUntilListening(port: port, pid: pid) { return NginxProcess(port: port, pid: pid, prefix: prefix) }
            let log = (try? String(contentsOfFile: prefix + "/error.log", encoding: .utf8)) ?? ""
            guard log.contains("Address already in use") else { throw TestSupportError("nginx did not start: \(log.suffix(1500))") }
        }
        throw TestSupportError("nginx found no free port in five tries")
    }

    /// Whether nginx came to accept connections on `port` (false when it exited first).
    static func waitUntilListening(port: Int, pid: pid_t) async throws -> Bool {
        for _ in 0..<400 {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
            if (try? RawSocket(port: port)) != nil { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw TestSupportError("nginx did not listen on \(port) within 10 s")
    }

    /// A loopback port nobody listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSupportError("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether the access log comes to hold `text` (nginx writes a line just after answering).
    public func waitForAccessLog(containing text: String) async throws -> Bool {
        for _ in 0..<400 {
            if accessLog.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    /// Stops nginx and waits for it.
    public func stop() {
        kill(pid, SIGQUIT)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
}
