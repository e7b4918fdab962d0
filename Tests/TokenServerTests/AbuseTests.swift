import Foundation
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenServer

#if canImport(Glibc)
import Glibc
#endif

/// Misbehaving clients on a real socket.
@Suite("Abuse: idle and half-open connections, huge headers, long keep-alive", .serialized)
struct AbuseTests {
    /// A raw client on the Unix socket, for what an HTTP library would not send.
    final class RawConnection {
        let fd: Int32

        init(_ path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let status = UnixSocketAddress.withAddress(path) { connect(fd, $0, $1) }
            guard status == 0 else { throw FixtureError("connect failed") }
            var timeout = timeval(tv_sec: 15, tv_usec: 0)  // a safety net only; every read below ends by an event
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ text: String) {
            var bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let sent = bytes.withUnsafeMutableBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                if sent <= 0 { return }
                offset += sent
            }
        }

        /// Reads until `count` responses have arrived or the server closes; nil means closed with nothing.
        func read(responses count: Int) -> String? {
            var received = ""
            var buffer = [UInt8](repeating: 0, count: 65536)
            while received.components(separatedBy: "HTTP/1.1 ").count - 1 < count {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return received.isEmpty ? nil : received }
                received += String(decoding: buffer.prefix(n), as: UTF8.self)
            }
            return received
        }

        /// Whether the server closed the connection (read returns 0) rather than our safety timeout firing.
        func waitForClose() -> Bool {
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, 0) == 0
        }
    }

    func withServer(idleTimeout: TimeAmount, _ body: (String) async throws -> Void) async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        let path = fixture.directory + "/abuse.sock"
        let (bound, continuation) = AsyncStream<Void>.makeStream()
        let listener = Listener(
            endpoint: .unix(path: path), responder: TokenRouter.makeResponder(router: fixture.server.buildRouter(), logger: fixture.logs.logger),
            peers: fixture.server.peers, idleTimeout: idleTimeout, logger: fixture.logs.logger, onBound: { _ in continuation.yield() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await listener.run() }
            for await _ in bound { break }
            try await body(path)
            group.cancelAll()
        }
    }

    @Test("an idle connection is closed after the idle timeout; 200 half-open ones do not stop others being served")
    func idleConnections() async throws {
        try await withServer(idleTimeout: .milliseconds(500)) { path in
            let idle = try RawConnection(path)
            let halfOpen = try (0..<200).map { _ in try RawConnection(path) }
            for connection in halfOpen { connection.send("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ngrant_") }
            let healthy = try RawConnection(path)
            healthy.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(healthy.read(responses: 1)?.hasPrefix("HTTP/1.1 200") == true)
            #expect(idle.waitForClose(), "the idle connection was closed by the server")
            #expect(halfOpen[0].waitForClose())
        }
    }

    @Test("huge headers are refused without harm, and the server keeps serving")
    func hugeHeaders() async throws {
        try await withServer(idleTimeout: .seconds(5)) { path in
            let attacker = try RawConnection(path)
            attacker.send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n")
            let answer = attacker.read(responses: 1)
            #expect(answer == nil || answer?.hasPrefix("HTTP/1.1 4") == true, "\(answer?.prefix(40) ?? "closed")")
            let next = try RawConnection(path)
            next.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(next.read(responses: 1)?.hasPrefix("HTTP/1.1 200") == true)
        }
    }

    @Test("1,000 small requests on one keep-alive connection are all answered")
    func keepAlive() async throws {
        try await withServer(idleTimeout: .seconds(5)) { path in
            let connection = try RawConnection(path)
            for _ in 0..<10 {
                connection.send(String(repeating: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", count: 100))
                let answers = connection.read(responses: 100) ?? ""
                #expect(answers.components(separatedBy: "HTTP/1.1 200").count - 1 == 100)
            }
        }
    }
}
