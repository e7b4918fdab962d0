import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import TokenAuthority
import TokenServer

/// Real listeners on a temporary Unix socket and an ephemeral loopback TCP port, serving the fixture's
/// router, and an HTTP client that speaks to both.
struct LiveServer {
    let fixture: ServerFixture
    let socketPath: String
    let tcpPort: Int
    let listeners: [Listener]

    /// Starts the listeners inside `body`'s lifetime and waits (without polling) until both accept.
    static func run(_ fixture: ServerFixture, _ body: @Sendable (LiveServer) async throws -> Void) async throws {
        let socketPath = fixture.directory + "/run/pamtoken.sock"
        let responder = TokenRouter.makeResponder(router: fixture.server.buildRouter(), logger: fixture.logs.logger)
        let (bound, continuation) = AsyncStream<SocketAddress?>.makeStream()
        let listeners = [ListenEndpoint.unix(path: socketPath), .tcp(host: "127.0.0.1", port: 0)].map {
            Listener(
                endpoint: $0, responder: responder, peers: fixture.server.peers, idleTimeout: .seconds(5), logger: fixture.logs.logger,
                onBound: { continuation.yield($0) })
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for listener in listeners {
                group.addTask {
                    do {
                        try await listener.run()
                    } catch {
                        continuation.finish()  // a listener that cannot bind ends the wait below
                        throw error
                    }
                }
            }
            var port = 0
            var count = 0
            for await address in bound {
                if let tcp = address?.port { port = tcp }
                count += 1
                if count == listeners.count { break }
            }
            guard count == listeners.count else {
                try await group.next()
                throw FixtureError("a listener stopped before it was bound")
            }
            try await body(LiveServer(fixture: fixture, socketPath: socketPath, tcpPort: port, listeners: listeners))
            group.cancelAll()
        }
    }

    /// The base URL over the Unix socket (AsyncHTTPClient's `http+unix` scheme).
    var unixURL: String { "http+unix://" + socketPath.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
    var tcpURL: String { "http://127.0.0.1:\(tcpPort)" }
}

/// A small HTTP client for live tests.
enum LiveClient {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    static func send(_ url: String, method: HTTPMethod = .GET, form: [String: String]? = nil, bearer: String? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        if let bearer {
            request.headers.add(name: "Authorization", value: "Bearer \(bearer)")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: String(buffer: body))
    }
}
