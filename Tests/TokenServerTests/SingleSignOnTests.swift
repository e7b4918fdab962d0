import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing
import TokenAuthority
import TokenCore

/// The browser session: a second sign-in without a password, its re-checks, its end.
@Suite("Browser sign-in: single sign-on and sign-out")
struct SingleSignOnTests {
    @Test("a second client signs in without a password; PAM only re-checks the account")
    func secondClient() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            _ = try await browser.code()
            let callsAfterLogin = fixture.pam.calls
            let response = try await browser.get("/authorize?" + browser.authorizeQuery(client: TestClients.board))
            #expect(response.status == .seeOther)
            #expect(TestBrowser.parameter("code", in: response.headers[.location] ?? "") != nil)
            #expect(fixture.pam.calls == callsAfterLogin + 1, "one pam_acct_mgmt, no pam_authenticate")
            // prompt=login and an exceeded max_age ask for the password again.
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery(["prompt": "login"])).status == .ok)
            fixture.clock.advance(by: 120)
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery(["max_age": "60"])).status == .ok)
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery(["max_age": "600"])).status == .seeOther)
        }
    }

    @Test("an account locked after sign-in gets no new code with a live cookie, and the browser session ends")
    func lockedAccount() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let access = try #require(try await browser.exchange(try await browser.code()).object["access_token"] as? String)
            fixture.pam.refuseAccount("alice")
            let response = try await browser.get("/authorize?" + browser.authorizeQuery())
            #expect(response.status == .forbidden)
            #expect(response.headers[.location] == nil)
            #expect(try await client.bearer("/userinfo", access).status == .unauthorized, "sessions started from it end with it")
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery(["prompt": "none"])).status == .seeOther)
        }
    }

    @Test("allowed_groups: a user outside them gets an error page, not a code")
    func allowedGroups() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let bob = TestBrowser(client)
            let refused = try await bob.signIn(bob.authorizeQuery(client: TestClients.board), user: "bob", password: "builder")
            #expect(refused.status == .forbidden)
            #expect(refused.headers[.location] == nil)
            let alice = TestBrowser(client)
            #expect(try await alice.signIn(alice.authorizeQuery(client: TestClients.board)).status == .seeOther)
        }
    }

    @Test("sign-out with an ID token hint ends the browser session and its sessions, then goes to the registered URI")
    func signOutWithHint() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let tokens = try await browser.exchange(try await browser.code()).object
            let hint = try #require(tokens["id_token"] as? String)
            let query = "id_token_hint=\(hint)&post_logout_redirect_uri=\(TestBrowser.escape("http://127.0.0.1:9000/bye"))&state=s2"
            let response = try await browser.get("/end_session?" + query)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "http://127.0.0.1:9000/bye?state=s2")
            #expect(browser.cookies["pamtoken_sso"] == nil)
            #expect(try await client.bearer("/userinfo", try #require(tokens["access_token"] as? String)).status == .unauthorized)
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery()).status == .ok, "the password is asked again")
            // An unregistered destination is not followed.
            let elsewhere = try await browser.get("/end_session?id_token_hint=\(hint)&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F")
            #expect(elsewhere.status == .ok && elsewhere.headers[.location] == nil)
        }
    }

    @Test("sign-out without a hint asks for confirmation; a forged confirmation is refused")
    func signOutConfirmation() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let access = try #require(try await browser.exchange(try await browser.code()).object["access_token"] as? String)
            let page = try await browser.get("/end_session")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"sign-out\""))
            let csrf = try #require(LoginForm.value(of: "csrf", in: page.text))
            #expect(try await client.bearer("/userinfo", access).status == .ok, "showing the page ends nothing")
            let attacker = TestBrowser(client)
            let attackerPage = try await attacker.get("/end_session")
            let forged = try #require(LoginForm.value(of: "csrf", in: attackerPage.text))
            #expect(try await browser.post("/end_session", ["csrf": forged]).status == .badRequest)
            #expect(try await browser.post("/end_session", [:]).status == .badRequest)
            let done = try await browser.post("/end_session", ["csrf": csrf])
            #expect(done.status == .ok && done.text.contains("Signed out"))
            #expect(try await client.bearer("/userinfo", access).status == .unauthorized)
        }
    }

    @Test("revoking the browser session through /sessions ends the sessions started from it")
    func revokeThroughSessions() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let tokens = try await browser.exchange(try await browser.code()).object
            let access = try #require(tokens["access_token"] as? String)
            let idToken = try #require(tokens["id_token"] as? String)
            let sid = try #require(jwtPayload(idToken)["sid"] as? String)
            let own = try #require(try await client.login()["access_token"] as? String)
            #expect(try await client.bearer("/sessions/\(sid)", own, method: .delete).status == .noContent)
            #expect(try await client.bearer("/userinfo", access).status == .unauthorized)
            #expect(try await browser.get("/authorize?" + browser.authorizeQuery()).status == .ok)
        }
    }

    @Test("password_grant = false: the password grant is unsupported and discovery no longer lists it")
    func passwordGrantOff() async throws {
        let fixture = try await ServerFixture(settings: .init(failureDelay: .zero, passwordGrant: false), clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
            #expect(response.object["error"] as? String == "unsupported_grant_type")
            #expect(fixture.pam.calls == 0)
            let metadata = try await client.execute(uri: "/.well-known/openid-configuration", method: .get).object
            #expect(metadata["grant_types_supported"] as? [String] == ["authorization_code", "refresh_token"])
            #expect(metadata["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(metadata["id_token_signing_alg_values_supported"] as? [String] == ["ES256"])
            let browser = TestBrowser(client)
            #expect(try await browser.signIn(browser.authorizeQuery()).status == .seeOther, "the login page still works")
        }
    }
}
