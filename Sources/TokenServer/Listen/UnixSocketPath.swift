import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Preparing the path of a Unix socket we are about to bind.
enum UnixSocketPath {
    /// Why a socket path cannot be used.
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates the parent directory (0755) if missing, and refuses a path where another daemon is
    /// already answering: NIO would otherwise delete its socket file and take over silently. A stale
    /// socket file (nobody listening) is left for NIO to replace.
    static func prepare(_ path: String) throws {
        guard path.utf8.count < 108 else { throw Problem(description: "unix:\(path): the path is longer than 107 bytes") }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(
                    atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            } catch {
                throw Problem(description: "unix:\(path): cannot create \(parent): \(error.localizedDescription)")
            }
        }
        if isAnswering(path) {
            throw Problem(description: "unix:\(path): another process is already listening on this socket")
        }
    }

    /// Whether a connection to the socket succeeds.
    static func isAnswering(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
