import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer
import TokenStore

@Suite("POST /token (docs/api.md#token-endpoint)")
struct TokenEndpointTests {
    @Test("the password grant returns an RFC 6749 token response, with no-store headers")
    func passwordGrant() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.form(
                "/token", ["grant_type": "password", "username": "alice", "password": "wonderland", "scope": "read write"])
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.pragma] == "no-cache")
            #expect(response.headers[.contentType] == "application/json")
            let body = response.object
            #expect(body["token_type"] as? String == "Bearer")
            #expect(body["expires_in"] as? Int == 300)
            #expect(body["refresh_token_expires_in"] as? Int == 604_800)
            #expect(body["scope"] as? String == "read write")
            #expect(body.string("refresh_token").hasPrefix("ptr_"))

            let verifier = TokenVerifier(policy: fixture.policy, keyRing: fixture.server.authority.keyRing, clock: fixture.clock)
            let claims = try await verifier.verify(body.string("access_token"))
            #expect(claims.sub.value == "alice")
            #expect(claims.groups == ["alice", "developers"])
            #expect(claims.amr == ["pwd"])
            #expect(claims.clientID == "pamtoken")
            #expect(claims.scope == "read write")
        }
    }

    @Test("a JSON body with the same field names works too, and client_id is recorded")
    func jsonBody() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.json(
                "/token", ["grant_type": "password", "username": "bob", "password": "builder", "client_id": "kubectl"])
            #expect(response.status == .ok)
            let sessions = try await fixture.server.authority.store.activeSessions(user: "bob")
            #expect(sessions.first?.clientID == "kubectl")
            #expect(sessions.first?.peerUID == 1000)
        }
    }

    @Test("a wrong password and an unknown user get the same answer")
    func badCredentials() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let wrong = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "nope"])
            let unknown = try await client.form("/token", ["grant_type": "password", "username": "mallory", "password": "nope"])
            for response in [wrong, unknown] {
                #expect(response.status == .badRequest)
                #expect(response.object.string("error") == "invalid_grant")
            }
            #expect(wrong.text == unknown.text)
        }
    }

    @Test("PAM accepts a user the user database does not know: refused")
    func unresolvableUser() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.users.set(nil, for: "bob")
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "builder"])
            #expect(response.status == .badRequest)
            #expect(response.object.string("error") == "invalid_grant")
        }
    }

    @Test(
        "malformed requests are invalid_request or unsupported_grant_type, never 500",
        arguments: [
            ("", "invalid_request"),
            ("username=alice&password=x", "invalid_request"),
            ("grant_type=password&password=x", "invalid_request"),
            ("grant_type=password&username=alice", "invalid_request"),
            ("grant_type=password&grant_type=password&username=alice&password=wonderland", "invalid_request"),
            ("grant_type=client_credentials", "unsupported_grant_type"),
            ("grant_type=refresh_token", "invalid_request"),
            ("grant_type=password&username=%ZZ&password=x", "invalid_request"),
            ("grant_type=password&username=%FF&password=x", "invalid_request"),
        ])
    func malformed(body: String, error: String) async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            #expect(response.object.string("error") == error, "\(response.text)")
        }
    }

    @Test("other content types and non-object JSON are refused as invalid_request")
    func contentTypes() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for (type, body) in [("text/plain", "grant_type=password"), ("application/json", "[1,2]"), ("application/json", "{\"grant_type\":{}}")] {
                let response = try await client.execute(uri: "/token", method: .post, headers: [.contentType: type], body: ByteBuffer(string: body))
                #expect(response.status == .badRequest)
                #expect(response.object.string("error") == "invalid_request")
            }
        }
    }

    @Test("refresh rotates: a new pair each time, the account re-checked with PAM")
    func refreshRotation() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let first = try await client.login()
            let callsAfterLogin = fixture.pam.calls
            let second = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": first.string("refresh_token")])
            #expect(second.status == .ok)
            #expect(second.headers[.cacheControl] == "no-store")
            #expect(second.object.string("refresh_token") != first.string("refresh_token"))
            #expect(second.object.string("access_token") != first.string("access_token"))
            #expect(fixture.pam.calls == callsAfterLogin + 1, "pam_acct_mgmt runs at every refresh")

            // Reuse of the first token: refused, and the whole family dies.
            let replay = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": first.string("refresh_token")])
            #expect(replay.object.string("error") == "invalid_grant")
            let newest = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": second.object.string("refresh_token")])
            #expect(newest.object.string("error") == "invalid_grant")
            #expect(fixture.logs.all.contains { $0.contains("refresh token reuse detected") })
        }
    }

    @Test("an account locked after login cannot refresh, and its session is revoked")
    func refreshAfterLock() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            fixture.pam.refuseAccount("alice")
            let refused = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(refused.status == .badRequest)
            #expect(refused.object.string("error") == "invalid_grant")
            #expect(try await fixture.server.authority.store.activeSessions(user: "alice").isEmpty)
            let userinfo = try await client.bearer("/userinfo", tokens.string("access_token"))
            #expect(userinfo.status == .unauthorized, "the session's access token dies with it")
        }
    }

    @Test("a PAM failure at refresh (not the user's fault) is 503 and keeps the session")
    func refreshDuringPAMOutage() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            fixture.pam.breakPAM()
            let response = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(response.status == .serviceUnavailable)
            #expect(response.object.string("error") == "temporarily_unavailable")
            #expect(try await fixture.server.authority.store.activeSessions(user: "alice").count == 1)
        }
    }

    @Test("a user recreated with another uid cannot refresh the old user's session")
    func refreshAfterUIDChange() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            fixture.users.set(.init(user: "alice", uid: 2000, gid: 2000, groups: ["alice"], name: nil), for: "alice")
            let refused = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(refused.object.string("error") == "invalid_grant")
        }
    }

    @Test("with a reuse grace, a retry within the window gets a fresh pair instead of a logout")
    func reuseGrace() async throws {
        let fixture = try await ServerFixture(reuseGrace: 30)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let lost = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(lost.status == .ok)
            fixture.clock.advance(by: 5)
            let retry = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(retry.status == .ok)
            let next = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": retry.object.string("refresh_token")])
            #expect(next.status == .ok)
            let abandoned = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": lost.object.string("refresh_token")])
            #expect(abandoned.object.string("error") == "invalid_grant")
        }
    }

    @Test("the peercred grant issues a token for the socket peer's own uid, with amr peercred")
    func peerCredentials() async throws {
        let fixture = try await ServerFixture(peer: .unix(uid: 1001, gid: 1001, pid: 77))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "urn:pamtoken:params:grant-type:peercred"])
            #expect(response.status == .ok)
            let claims = try await TokenVerifier(policy: fixture.policy, keyRing: fixture.server.authority.keyRing, clock: fixture.clock)
                .verify(response.object.string("access_token"))
            #expect(claims.sub.value == "bob")
            #expect(claims.amr == ["peercred"])
        }
    }

    @Test("the peercred grant is refused for root, over TCP, and when disabled")
    func peerCredentialsRefused() async throws {
        let grant = ["grant_type": "urn:pamtoken:params:grant-type:peercred"]
        let root = try await ServerFixture(peer: .unix(uid: 0, gid: 0, pid: 1))
        defer { root.cleanUp() }
        try await root.test { client async throws in
            #expect(try await client.form("/token", grant).object.string("error") == "unauthorized_client")
        }
        let tcp = try await ServerFixture(peer: .tcp(address: "127.0.0.1"))
        defer { tcp.cleanUp() }
        try await tcp.test { client async throws in
            #expect(try await client.form("/token", grant).object.string("error") == "unauthorized_client")
        }
        let disabled = try await ServerFixture(settings: .init(failureDelay: .zero, peercredGrant: false))
        defer { disabled.cleanUp() }
        try await disabled.test { client async throws in
            #expect(try await client.form("/token", grant).object.string("error") == "unsupported_grant_type")
        }
    }
}
