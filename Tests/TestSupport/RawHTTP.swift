import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Sends bytes exactly as given over a fresh connection and returns what came back until the server
/// closed the connection (or `timeout` passed): for tests of malformed framing and forged headers,
/// which an HTTP client library would refuse to send, and of connections from chosen source addresses.
///
/// Blocking I/O, run on a thread of its own so that it never occupies the Swift cooperative pool the
/// server under test needs.
public enum RawHTTP {
    public enum Destination: Sendable {
        /// TCP to 127.0.0.1:port, from `source` (any address of 127.0.0.0/8 can be bound locally).
        case tcp(port: Int, source: String = "127.0.0.1")
        case unix(path: String)
    }

    public struct Reply: Sendable, CustomStringConvertible {
        /// The whole answer; empty when the server closed without one.
        public var text: String
        /// The status code of the first response, nil when there was none.
        public var status: Int? {
            guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
            return Int(text.dropFirst(9).prefix(3))
        }
        /// Everything after the first blank line.
        public var body: String { text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
        public func header(_ name: String) -> String? {
            for line in text.components(separatedBy: "\r\n\r\n")[0].split(separator: "\r\n").dropFirst() {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2, parts[0].lowercased() == name.lowercased() { return parts[1].trimmingCharacters(in: .whitespaces) }
            }
            return nil
        }
        public var description: String { text.count > 600 ? String(text.prefix(600)) + "…" : text }
    }

    public static func exchange(_ request: [UInt8], to destination: Destination, timeout: Int = 5) async throws -> Reply {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try exchangeBlocking(request, to: destination, timeout: timeout) })
            }
        }
    }

    public static func exchange(_ request: String, to destination: Destination, timeout: Int = 5) async throws -> Reply {
        try await exchange(Array(request.utf8), to: destination, timeout: timeout)
    }

    public struct SocketError: Error, CustomStringConvertible {
        public var description: String
    }

    private static func exchangeBlocking(_ request: [UInt8], to destination: Destination, timeout: Int) throws -> Reply {
        let fd: Int32
        switch destination {
        case .tcp(let port, let source):
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SocketError(description: "socket: \(errno)") }
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            var remote = sockaddr_in()
            remote.sin_family = sa_family_t(AF_INET)
            remote.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
            let size = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) } }
            let connected = withUnsafePointer(to: &remote) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) } }
            guard bound == 0, connected == 0 else {
                close(fd)
                throw SocketError(description: "cannot connect from \(source) to port \(port): errno \(errno)")
            }
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw SocketError(description: "socket: \(errno)") }
            let connected = UnixSocketAddress.withAddress(path) { connect(fd, $0, $1) }
            guard connected == 0 else {
                close(fd)
                throw SocketError(description: "cannot connect to \(path): errno \(errno)")
            }
        }
        defer { close(fd) }
        var wait = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var offset = 0
        while offset < request.count {
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress! + offset, request.count - offset, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { break }  // the server may close early on a bad request: read what it said
            offset += sent
        }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return Reply(text: String(decoding: received, as: UTF8.self))
    }
}
