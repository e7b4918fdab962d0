import Foundation

#if canImport(Glibc)
public import Glibc
#endif

/// A `NOTIFY_SOCKET` for a child, as systemd would provide: the daemon sends `READY=1` here once it
/// serves, so tests wait for that event instead of polling the daemon's socket.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        _ = UnixSocketAddress.withAddress(path) { bind(fd, $0, $1) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)  // a safety net: a test never waits forever
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next notification, received on a thread of its own (recv blocks).
    public func next() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [fd] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil)
            }
        }
    }
}

/// `struct sockaddr_un` for a path, for the tests' raw socket calls.
public enum UnixSocketAddress {
    /// Calls `body` with a pointer to the address of `path` and its length.
    public static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
