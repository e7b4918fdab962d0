import Glibc

/// One HTTP/1.1 keep-alive connection with blocking POSIX I/O: the load generator's client.
///
/// Deliberately minimal — one request in flight, `Content-Length` bodies only (all the daemon
/// sends) — so that the generator costs as little CPU as possible next to the daemon it measures
/// on the same two cores.
final class HTTPConnection {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Response {
        var status: Int
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0

    init(_ endpoint: Endpoint) throws {
        switch endpoint {
        case .unix(let path):
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure("socket path too long") }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw Failure("connect \(path): errno \(code)")
            }
        case .tcp(let host, let port):
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw Failure("socket: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure("not an IPv4 address: \(host)") }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard result == 0 else {
                let code = errno
                close(fd)
                throw Failure("connect \(host):\(port): errno \(code)")
            }
        }
    }

    deinit { close(fd) }

    /// Sends one request and reads its response.
    func exchange(_ request: [UInt8]) throws -> Response {
        try send(request)
        return try readResponse()
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure("write: errno \(errno)")
            }
            offset += written
        }
    }

    private func fill() throws {
        if start == end { (start, end) = (0, 0) }
        if end == buffer.count {
            if start > 0 {
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                (start, end) = (0, end - start)
            } else {
                buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
            }
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + end, $0.count - end) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw Failure(count == 0 ? "connection closed by the daemon" : "read: errno \(errno)") }
            end += count
            return
        }
    }

    private func readResponse() throws -> Response {
        // Headers: up to the blank line.
        var headerEnd: Int?
        while headerEnd == nil {
            var index = start
            while index + 3 < end {
                if buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
                    headerEnd = index + 4
                    break
                }
                index += 1
            }
            if headerEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[start..<headerEnd!], as: UTF8.self)
        guard head.hasPrefix("HTTP/1.1 "), let status = Int(head.dropFirst(9).prefix(3)) else { throw Failure("not an HTTP response") }
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst(15).trimmingPrefix(" ")) ?? 0
        }
        if head.lowercased().contains("transfer-encoding: chunked") { throw Failure("chunked responses are not supported") }
        start = headerEnd!
        while end - start < length { try fill() }
        let body = Array(buffer[start..<(start + length)])
        start += length
        return Response(status: status, body: body)
    }
}
