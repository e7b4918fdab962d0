import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import TestSupport
import Testing
import TokenAuthority
import TokenCore

/// What a relying party may and may not do with what it was given: the findings of the attacker's
/// review of browser sign-in, each a test that failed before its fix.
@Suite("Browser sign-in: the boundaries of a registered client")
struct ClientBoundaryTests {
    @Test("a client's access token is for the client: audience its id, refused by /auth and /sessions, accepted by /userinfo")
    func tokenAudience() async throws {
        var narrow = TestClients.wiki
        narrow.scopes = ["openid"]
        let wiki = narrow
        let fixture = try await ServerFixture(clients: [wiki])
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let access = try #require(try await browser.exchange(try await browser.code(client: wiki)).object["access_token"] as? String)
            let claims = jwtPayload(access)
            #expect(claims["aud"] as? [String] == ["wiki"] || claims["aud"] as? String == "wiki")
            #expect(claims["groups"] as? [String] == [], "groups only with the groups scope")
            #expect(try await client.bearer("/userinfo", access).status == .ok)
            #expect(try await client.bearer("/auth", access).status == .unauthorized)
            #expect(try await client.bearer("/sessions", access).status == .unauthorized)
            let introspection = try await client.form("/introspect", ["token": access]).object
            #expect(introspection["active"] as? Bool == true)
        }
    }

    @Test("another user's ID token as a hint does not sign this browser out")
    func foreignHint() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let bob = TestBrowser(client)
            let bobQuery = bob.authorizeQuery()
            let bobCode = try #require(
                TestBrowser.parameter("code", in: try await bob.signIn(bobQuery, user: "bob", password: "builder").headers[.location] ?? ""))
            let bobHint = try #require(try await bob.exchange(bobCode).object["id_token"] as? String)
            let alice = TestBrowser(client)
            let access = try #require(try await alice.exchange(try await alice.code()).object["access_token"] as? String)
            let response = try await alice.get("/end_session?id_token_hint=\(bobHint)")
            #expect(response.status == .ok && response.text.contains("id=\"sign-out\""), "asks Alice to confirm")
            #expect(alice.cookies["pamtoken_sso"] != nil)
            #expect(try await client.bearer("/userinfo", access).status == .ok)
        }
    }

    @Test("typing a user name like client:wiki does not lock the client out")
    func throttleNamespaces() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for _ in 0..<6 {
                _ = try await client.form("/token", ["grant_type": "password", "username": "client:wiki", "password": "x"])
            }
            let browser = TestBrowser(client)
            #expect(try await browser.exchange(try await browser.code()).status == .ok)
        }
    }

    @Test("a registered client cannot use the password or peercred grant, which would skip its scopes and groups")
    func noPasswordGrantForClients() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let password = try await client.form(
                "/token", ["grant_type": "password", "username": "bob", "password": "builder", "client_id": "board"])
            #expect(password.object["error"] as? String == "unauthorized_client")
            let peercred = try await client.form("/token", ["grant_type": PeerCredentialsGrant.type, "client_id": "board"])
            #expect(peercred.object["error"] as? String == "unauthorized_client")
            #expect(fixture.pam.calls == 0)
        }
    }

    @Test("refresh re-checks allowed_groups, and a removed client's refresh tokens die with it")
    func refreshRules() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        let kept = Mutex("")
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code(client: TestClients.board)
            let body =
                "grant_type=authorization_code&client_id=board&code=\(code)&redirect_uri=\(TestBrowser.escape(TestClients.board.redirectURIs[0]))&code_verifier=\(browser.verifier)"
            let tokens = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body)
            ).object
            let first = try #require(tokens["refresh_token"] as? String)
            var alice = ServerFixture.alice
            alice.groups = ["alice"]
            fixture.users.set(alice, for: "alice")
            let refused = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": first, "client_id": "board"])
            #expect(refused.object["error"] as? String == "invalid_grant")
            fixture.users.set(ServerFixture.alice, for: "alice")
            let refresh = try #require(try await browser.exchange(try await browser.code()).object["refresh_token"] as? String)
            kept.withLock { $0 = refresh }
        }
        let refresh = kept.withLock { $0 }
        let restarted = try await ServerFixture(sharingStateWith: fixture, clients: [TestClients.board])
        try await restarted.test { client in
            let bare = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": refresh])
            #expect(bare.object["error"] as? String == "invalid_grant", "wiki is gone; its tokens are nobody's to refresh")
        }
    }

    @Test("redirect URIs are compared byte for byte: a Kelvin sign is not a K")
    func exactRedirect() async throws {
        var kelvin = TestClients.wiki
        kelvin.redirectURIs = ["http://127.0.0.1:9000/Kb/cb"]
        let wiki = kelvin
        let fixture = try await ServerFixture(clients: [wiki])
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let response = try await browser.get(
                "/authorize?" + browser.authorizeQuery(client: wiki, ["redirect_uri": "http://127.0.0.1:9000/\u{212A}b/cb"]))
            #expect(response.status == .badRequest && response.headers[.location] == nil)
        }
    }

    @Test("a secret with a NUL or a form separator in it is not the secret")
    func secretSpellings() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code()
            for secret in ["s3cret%00junk", "s3cret&x=1"] {
                let basic = "Basic " + Data("wiki:\(secret)".utf8).base64EncodedString()
                let response = try await client.execute(
                    uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic],
                    body: ByteBuffer(string: "grant_type=authorization_code&code=\(code)&redirect_uri=x&code_verifier=\(browser.verifier)"))
                #expect(response.status == .unauthorized, "\(secret)")
            }
        }
    }

    @Test("prompt=none outside allowed_groups answers the client with access_denied instead of a page")
    func silentRefusal() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let bob = TestBrowser(client)
            _ = try await bob.signIn(bob.authorizeQuery(), user: "bob", password: "builder")
            let response = try await bob.get("/authorize?" + bob.authorizeQuery(client: TestClients.board, ["prompt": "none"]))
            #expect(response.status == .seeOther)
            #expect(TestBrowser.parameter("error", in: response.headers[.location] ?? "") == "access_denied")
        }
    }
}
