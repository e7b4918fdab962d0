import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PAMTokenAuth
import TestSupport
import Testing
import TokenCore

struct TestContext: PAMTokenRequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: PAMTokenIdentity?
    init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }
}

@Suite("PAMTokenMiddleware: 401/403 like the daemon, identity in the context")
struct MiddlewareTests {
    func app(_ daemon: FakeDaemon, group: String? = nil) -> some ApplicationProtocol {
        let router = Router(context: TestContext.self)
        router.add(middleware: PAMTokenMiddleware(verifier: PAMTokenVerifier(source: daemon, clock: daemon.clock), requiredGroup: group))
        router.get("/whoami") { _, context in context.identity?.user ?? "nobody" }
        return Application(router: router)
    }

    @Test("a valid token reaches the route with the identity set")
    func allowed() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let token = try await daemon.token()
        try await app(daemon).test(.router) { client in
            let response = try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "alice")
        }
    }

    @Test("no token, a bad token and an expired token are 401 with WWW-Authenticate; expired adds IS-TOKEN-EXPIRED")
    func refused() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let token = try await daemon.token()
        try await app(daemon).test(.router) { client in
            let missing = try await client.execute(uri: "/whoami", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer error=\"invalid_token\"") == true)
            let bad = try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer nope"])
            #expect(bad.status == .unauthorized)
            #expect(bad.headers[HTTPField.Name("IS-TOKEN-EXPIRED")!] == nil)
            daemon.clock.advance(by: 301)
            let expired = try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(expired.status == .unauthorized)
            #expect(expired.headers[HTTPField.Name("IS-TOKEN-EXPIRED")!] == "true")
        }
    }

    @Test("a required group is enforced with 403")
    func group() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let token = try await daemon.token()
        try await app(daemon, group: "wheel").test(.router) { client in
            let response = try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .forbidden)
        }
        try await app(daemon, group: "developers").test(.router) { client in
            let response = try await client.execute(uri: "/whoami", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
        }
    }
}
