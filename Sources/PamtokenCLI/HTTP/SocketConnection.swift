#if canImport(Glibc)
import Glibc
#endif

/// One blocking stream socket to the daemon, with send and receive timeouts.
///
/// Plain POSIX calls: a CLI makes one request at a time and exits, so an event loop would add start-up
/// cost and nothing else. `MSG_NOSIGNAL` keeps a daemon that hangs up early from killing us with SIGPIPE.
struct SocketConnection: ~Copyable {
    private let fd: Int32
    let address: DaemonAddress

    /// Connects, or throws ``DaemonClientError/Kind/unreachable`` with the system's reason.
    init(to address: DaemonAddress, timeoutSeconds: Int) throws(DaemonClientError) {
        self.address = address
        switch address {
        case .unix(let path):
            fd = try Self.connectUnix(path, address: address, timeoutSeconds: timeoutSeconds)
        case .tcp(let host, let port, _):
            fd = try Self.connectTCP(host: host, port: port, address: address, timeoutSeconds: timeoutSeconds)
        }
    }

    deinit {
        close(fd)
    }

    func send(_ bytes: [UInt8]) throws(DaemonClientError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DaemonClientError(.transport, address: address, reason: Self.describe(errno))
            }
            offset += count
        }
    }

    /// Everything up to end-of-file, at most `limit` bytes.
    func receiveAll(limit: Int) throws(DaemonClientError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count < 0 {
                if errno == EINTR { continue }
                throw DaemonClientError(.transport, address: address, reason: Self.describe(errno))
            }
            if count == 0 { return received }
            received.append(contentsOf: buffer.prefix(count))
            guard received.count <= limit else { throw DaemonClientError(.badResponse, address: address, reason: "the response is too large") }
        }
    }

    private static func connectUnix(_ path: String, address: DaemonAddress, timeoutSeconds: Int) throws(DaemonClientError) -> Int32 {
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        guard path.utf8.count < capacity, !path.utf8.contains(0) else {
            throw DaemonClientError(.unreachable, address: address, reason: "the socket path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonClientError(.unreachable, address: address, reason: describe(errno)) }
        setTimeouts(fd, seconds: timeoutSeconds)
        let result = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let error = errno
            close(fd)
            throw DaemonClientError(.unreachable, address: address, reason: describe(error))
        }
        return fd
    }

    private static func connectTCP(host: String, port: Int, address: DaemonAddress, timeoutSeconds: Int) throws(DaemonClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw DaemonClientError(.unreachable, address: address, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else {
                lastError = errno
                continue
            }
            setTimeouts(fd, seconds: timeoutSeconds)  // on Linux SO_SNDTIMEO also bounds connect(2)
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        throw DaemonClientError(.unreachable, address: address, reason: describe(lastError))
    }

    private static func setTimeouts(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// `strerror`, with the timeout errors (which read "Resource temporarily unavailable") made plain.
    static func describe(_ error: Int32) -> String {
        if error == EAGAIN || error == EWOULDBLOCK || error == ETIMEDOUT || error == EINPROGRESS { return "timed out" }
        return String(cString: strerror(error))
    }
}
