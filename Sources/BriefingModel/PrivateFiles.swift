import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Database files that hold secrets (a device token, password hashes) readable by their owner only.
///
/// SQLite creates a database's `-wal` and `-shm` files with the permissions of the database
/// file itself, so the database is created here, empty and with mode 0600, before SQLite opens
/// it: no side file is ever world-readable, not even for a moment. A database found with looser
/// permissions (made by an older version, or copied) is tightened, with its side files.
public enum PrivateFiles {
    /// Why a database file could not be made: the system's words (`Permission denied`).
    public struct CreationFailure: LocalizedError {
        public var reason: String
        public var errorDescription: String? { reason }
    }

    /// The suffixes of SQLite's side files.
    public static let sideFileSuffixes = ["-wal", "-shm", "-journal"]

    /// Makes `path`'s directory (0700 when it is new) and the file itself (0600), or tightens
    /// an existing one. Throws with the reason when the file cannot be made.
    public static func prepareDatabase(at path: String) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            // A new file: umask may have taken bits away, never added them; set exactly 0600.
            fchmod(descriptor, 0o600)
            close(descriptor)
            return
        }
        guard errno == EEXIST else {
            throw CreationFailure(reason: String(cString: strerror(errno)))
        }
        for file in [path] + sideFileSuffixes.map({ path + $0 }) {
            var info = stat()
            if stat(file, &info) == 0, info.st_mode & 0o077 != 0 { chmod(file, 0o600) }
        }
    }
}
