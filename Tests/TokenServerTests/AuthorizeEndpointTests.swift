import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TokenAuthority
import TokenCore

/// `GET /authorize` and `POST /login`: every branch that ends on a page, a redirect or a code.
@Suite("Browser sign-in: the authorization endpoint and the login page")
struct AuthorizeEndpointTests {
    @Test("an unknown client, an unregistered redirect URI or a repeated parameter gets an error page and never a redirect")
    func noOpenRedirect() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            for query in [
                browser.authorizeQuery(["client_id": "nobody"]),
                browser.authorizeQuery(["redirect_uri": "http://127.0.0.1:9000/cb/../evil"]),
                browser.authorizeQuery(["redirect_uri": "https://attacker.example/cb"]),
                browser.authorizeQuery(["redirect_uri": nil]),
                browser.authorizeQuery() + "&client_id=wiki",
                browser.authorizeQuery(["client_id": nil]),
            ] {
                let response = try await browser.get("/authorize?" + query)
                #expect(response.status == .badRequest, "\(query)")
                #expect(response.headers[.location] == nil, "\(query)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            }
        }
    }

    @Test(
        "other faults go back to the client with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207)",
        arguments: [
            (["code_challenge": nil], "invalid_request"),
            (["code_challenge_method": "plain"], "invalid_request"),
            (["code_challenge_method": nil], "invalid_request"),
            (["code_challenge": "short"], "invalid_request"),
            (["response_type": "token"], "unsupported_response_type"),
            (["response_type": nil], "invalid_request"),
            (["prompt": "none"], "login_required"),
            (["max_age": "-1"], "invalid_request"),
            (["request": "eyJ"], "request_not_supported"),
        ] as [([String: String?], String)])
    func redirectedErrors(changes: [String: String?], error: String) async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let response = try await browser.get("/authorize?" + browser.authorizeQuery(changes))
            #expect(response.status == .seeOther)
            let location = response.headers[.location] ?? ""
            #expect(location.hasPrefix("http://127.0.0.1:9000/cb?"))
            #expect(TestBrowser.parameter("error", in: location) == error)
            #expect(TestBrowser.parameter("state", in: location) == "state-1")
            #expect(TestBrowser.parameter("iss", in: location) == "http://127.0.0.1:8719")
            #expect(TestBrowser.parameter("code", in: location) == nil)
        }
    }

    @Test("the login page: no script, no framing, no caching, a login cookie, and nothing reflected unescaped")
    func loginPageHeaders() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let response = try await browser.get("/authorize?" + browser.authorizeQuery(["state": "<script>alert(1)</script>\"'"]))
            #expect(response.status == .ok)
            let policy = response.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"))
            #expect(policy.contains("form-action 'self' http://127.0.0.1:9000"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("script-src"))
            #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(response.headers[.cacheControl] == "no-store")
            // Not no-referrer: under it browsers send `Origin: null` with the page's own form (found by browser-e2e.sh).
            #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("pamtoken_login=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
            #expect(response.text.contains("Team &lt;wiki&gt;"))
            #expect(!response.text.contains("<script>"))
            #expect(!response.text.contains("alert(1)"), "the state travels sealed, never as page text")
            #expect(response.text.contains("<label for=\"username\">") && response.text.contains("type=\"password\""))
        }
    }

    @Test("a form without its CSRF token, with another browser's cookie, or tampered with is refused before PAM")
    func forgedForms() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let page = try await browser.get("/authorize?" + browser.authorizeQuery())
            let form = try #require(LoginForm(page.text))
            let credentials = ["username": "alice", "password": "wonderland"]
            let other = TestBrowser(client)
            _ = try await other.get("/authorize?" + other.authorizeQuery())
            for (sender, fields) in [
                (browser, credentials.merging(["request": form.request]) { $1 }),
                (browser, credentials.merging(["request": form.request, "csrf": ""]) { $1 }),
                (browser, credentials.merging(["request": form.request, "csrf": form.csrf + "A"]) { $1 }),
                (browser, credentials.merging(["request": "x" + form.request, "csrf": form.csrf]) { $1 }),
                (other, credentials.merging(["request": form.request, "csrf": form.csrf]) { $1 }),
            ] {
                let response = try await sender.post("/login", fields)
                #expect(response.status == .badRequest)
                #expect(response.headers[.location] == nil)
            }
            #expect(fixture.pam.calls == 0)
        }
    }

    @Test("a wrong password shows the page again with one generic message; the right one redirects with a code and a new cookie")
    func passwordOnThePage() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let query = browser.authorizeQuery()
            for (user, password) in [("alice", "wrong"), ("nobody-here", "x"), ("root", "toor")] {
                let failed = try await browser.signIn(query, user: user, password: password)
                #expect(failed.status == .badRequest)
                #expect(failed.text.contains("Invalid username or password."))
                #expect(LoginForm(failed.text) != nil, "the page is shown again, ready for another try")
            }
            #expect(browser.cookies["pamtoken_sso"] == nil)
            let response = try await browser.signIn(query)
            #expect(response.status == .seeOther)
            let location = try #require(response.headers[.location])
            #expect(TestBrowser.parameter("code", in: location)?.hasPrefix("pac_") == true)
            #expect(TestBrowser.parameter("state", in: location) == "state-1")
            let cookie = response.headers[values: .setCookie].first { $0.hasPrefix("pamtoken_sso=") } ?? ""
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            let again = try await browser.signIn(browser.authorizeQuery(["prompt": "login"]))
            #expect(again.status == .seeOther)
            let values = [cookie, again.headers[values: .setCookie].first { $0.hasPrefix("pamtoken_sso=") } ?? ""]
            #expect(values[0] != values[1], "every login sets a new cookie value: no fixation")
        }
    }

    @Test("the login page shares the password grant's throttle")
    func throttled() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            for _ in 0..<3 { _ = try await browser.signIn(browser.authorizeQuery(), password: "wrong") }
            let response = try await browser.signIn(browser.authorizeQuery())
            #expect(response.status == .tooManyRequests)
            #expect(response.headers[.retryAfter] != nil)
            #expect(response.headers[.location] == nil)
        }
    }
}
