import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing
import TokenAuthority
import TokenServer

#if canImport(Glibc)
import Glibc
#endif

@Suite("Live: real Unix socket and loopback TCP", .serialized)
struct LiveTests {
    @Test("over the Unix socket the kernel's word on the peer (our uid and pid) is recorded on the session")
    func unixSocketPeer() async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live async throws in
            let mode = try FileManager.default.attributesOfItem(atPath: live.socketPath)[.posixPermissions] as? Int
            #expect(mode == 0o666, "any local user may connect")

            let login = try await LiveClient.send(
                live.unixURL + "/token", method: .POST, form: ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(login.status == 200)
            #expect(login.headers["cache-control"] == "no-store")
            let sessions = try await LiveClient.send(live.unixURL + "/sessions", bearer: login.object["access_token"] as? String)
            let first = (sessions.object["sessions"] as? [[String: Any]])?.first
            #expect(first?["peer"] as? String == "uid \(getuid()) pid \(getpid())")
        }
    }

    @Test("over TCP the peer is the client's address, and the same routes answer")
    func tcpPeer() async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live async throws in
            let login = try await LiveClient.send(
                live.tcpURL + "/token", method: .POST, form: ["grant_type": "password", "username": "bob", "password": "builder"])
            #expect(login.status == 200)
            let sessions = try await LiveClient.send(live.tcpURL + "/sessions", bearer: login.object["access_token"] as? String)
            #expect((sessions.object["sessions"] as? [[String: Any]])?.first?["peer"] as? String == "127.0.0.1")
            // Admin routes are refused over TCP even to root's processes.
            #expect(try await LiveClient.send(live.tcpURL + "/admin/keys").status == 403)
            #expect(try await LiveClient.send(live.tcpURL + "/healthz").body == #"{"status":"ok"}"#)
            #expect(try await LiveClient.send(live.tcpURL + "/nope").status == 404)
        }
    }

    @Test("admin routes on the socket follow the peer's real uid")
    func adminOverSocket() async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live async throws in
            let status = try await LiveClient.send(live.unixURL + "/admin/keys").status
            #expect(status == (getuid() == 0 ? 200 : 403))
        }
    }

    @Test("a stale socket file is replaced, a live one is not taken over")
    func socketFile() async throws {
        let fixture = try await ServerFixture(peer: .unknown)
        defer { fixture.cleanUp() }
        let path = fixture.directory + "/run/pamtoken.sock"
        try FileManager.default.createDirectory(atPath: fixture.directory + "/run", withIntermediateDirectories: true)
        makeStaleSocket(at: path)  // what a crashed daemon leaves behind
        try await LiveServer.run(fixture) { live async throws in
            #expect(try await LiveClient.send(live.unixURL + "/healthz").status == 200)
            let second = Listener(
                endpoint: .unix(path: path), responder: TokenRouter.makeResponder(router: fixture.server.buildRouter(), logger: fixture.logs.logger),
                peers: fixture.server.peers, idleTimeout: .seconds(5), logger: fixture.logs.logger)
            await #expect(throws: (any Error).self) { try await second.run() }
            #expect(fixture.logs.all.isEmpty == false)
            #expect(try await LiveClient.send(live.unixURL + "/healthz").status == 200, "the first daemon still owns the socket")
        }
    }

    @Test("graceful shutdown lets a request in flight finish, then the listener returns")
    func gracefulShutdown() async throws {
        let fixture = try await ServerFixture(peer: .unknown, settings: .init(failureDelay: .milliseconds(300)))
        defer { fixture.cleanUp() }
        let socketPath = fixture.directory + "/graceful.sock"
        let (bound, continuation) = AsyncStream<Void>.makeStream()
        let listener = Listener(
            endpoint: .unix(path: socketPath),
            responder: TokenRouter.makeResponder(router: fixture.server.buildRouter(), logger: fixture.logs.logger),
            peers: fixture.server.peers, idleTimeout: .seconds(5), logger: fixture.logs.logger, onBound: { _ in continuation.yield() })
        let url = "http+unix://" + socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "/token"
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                for await _ in bound { break }
                // A failing login is held for the 300 ms failure delay: it is in flight when shutdown starts.
                async let slow = LiveClient.send(url, method: .POST, form: ["grant_type": "password", "username": "alice", "password": "x"])
                try await Task.sleep(for: .milliseconds(100))
                trigger.triggerGracefulShutdown()
                #expect(try await slow.status == 400)
                try await group.waitForAll()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: socketPath), "the socket file is removed at exit")
    }
}

/// A socket file nobody listens on: bound, then closed without unlinking.
private func makeStaleSocket(at path: String) {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    _ = UnixSocketAddress.withAddress(path) { bind(fd, $0, $1) }
    close(fd)
}
