import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TokenAuthority
import TokenCore

/// The login page carrying a PAM conversation: a one-time code or an expired password after the
/// password, each prompt on its own page, bound to the browser and answerable once.
@Suite("PAM conversations: the login page")
struct ConversationPageTests {
    @Test("after the password the page asks PAM's next question, with the right kind of field, and the answer signs in")
    func oneTimeCode() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let page = try await browser.signIn(browser.authorizeQuery())
            #expect(page.status == .ok)
            #expect(page.text.contains("<label for=\"answer\">One-time password (OATH) for `alice&#39;:</label>"))
            #expect(page.text.contains("type=\"password\" autocomplete=\"one-time-code\""))
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let form = try #require(PromptForm(page.text))
            #expect(form.conversation.hasPrefix("pcv_"))
            #expect(browser.cookies["pamtoken_sso"] == nil, "no session before the last answer")

            let done = try await browser.post("/login", form.fields(answer: "123456"))
            #expect(done.status == .seeOther)
            #expect(TestBrowser.parameter("code", in: done.headers[.location] ?? "")?.hasPrefix("pac_") == true)
            #expect(browser.cookies["pamtoken_sso"] != nil)

            let replay = try await browser.post("/login", form.fields(answer: "123456"))
            #expect(replay.status == .badRequest, "the page is answered once")
            #expect(replay.text.contains("This sign-in form has expired"))
        }
    }

    @Test("another browser cannot answer a page it did not get, even with its hidden fields")
    func otherBrowser() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        try await fixture.test { client in
            let victim = TestBrowser(client)
            let form = try #require(PromptForm(try await victim.signIn(victim.authorizeQuery()).text))
            let attacker = TestBrowser(client)
            _ = try await attacker.get("/authorize?" + attacker.authorizeQuery())  // a login cookie of its own
            let stolen = try await attacker.post("/login", form.fields(answer: "123456"))
            #expect(stolen.status == .badRequest)
            #expect(attacker.cookies["pamtoken_sso"] == nil)
            let owner = try await victim.post("/login", form.fields(answer: "123456"))
            #expect(owner.status == .seeOther, "the stranger's try did not spend the victim's page")
        }
    }

    @Test("the page names the conversation's user, whatever the hidden field says")
    func userFromTheConversation() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        fixture.pam.expirePassword(of: "alice")
        try await fixture.test { client in
            let browser = TestBrowser(client)
            var form = try #require(PromptForm(try await browser.signIn(browser.authorizeQuery()).text))
            form.username = "mallory"
            let next = try await browser.post("/login", form.fields(answer: "wonderland"))
            #expect(next.text.contains("as <strong>alice</strong>"))
            #expect(!next.text.contains("mallory"))
        }
    }

    @Test("a wrong code shows the first page again with the generic message")
    func wrongCode() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        fixture.pam.requireCode("123456", for: "alice")
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let form = try #require(PromptForm(try await browser.signIn(browser.authorizeQuery()).text))
            let failed = try await browser.post("/login", form.fields(answer: "000000"))
            #expect(failed.status == .badRequest)
            #expect(failed.text.contains("Invalid username or password."))
            #expect(LoginForm(failed.text) != nil && PromptForm(failed.text) == nil)
        }
    }

    @Test("an expired password: PAM's messages, then its three prompts; a refused new password shows PAM's reason")
    func expiredPassword() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        fixture.pam.expirePassword(of: "alice")
        try await fixture.test { client in
            let browser = TestBrowser(client)
            var page = try await browser.signIn(browser.authorizeQuery())
            #expect(page.text.contains("<li class=\"error\">You are required to change your password immediately (administrator enforced).</li>"))
            #expect(page.text.contains("autocomplete=\"current-password\""))
            for answer in ["wonderland", "ab"] {
                page = try await browser.post("/login", try #require(PromptForm(page.text)).fields(answer: answer))
                #expect(page.text.contains("autocomplete=\"new-password\""))
            }
            page = try await browser.post("/login", try #require(PromptForm(page.text)).fields(answer: "ab"))
            #expect(page.status == .badRequest)
            #expect(page.text.contains("Your password was not changed: You must choose a longer password."))
            #expect(fixture.pam.password(of: "alice") == "wonderland")

            page = try await browser.signIn(browser.authorizeQuery())
            for answer in ["wonderland", "through-the-glass", "through-the-glass"] {
                page = try await browser.post("/login", try #require(PromptForm(page.text)).fields(answer: answer))
            }
            #expect(page.status == .seeOther)
            #expect(fixture.pam.password(of: "alice") == "through-the-glass")
        }
        #expect(!fixture.logs.all.joined().contains("through-the-glass"))
    }
}

/// The hidden fields of a conversation page.
struct PromptForm {
    var request: String
    var csrf: String
    var conversation: String
    var username: String

    init?(_ html: String) {
        guard let request = LoginForm.value(of: "request", in: html), let csrf = LoginForm.value(of: "csrf", in: html),
            let conversation = LoginForm.value(of: "conversation", in: html), let username = LoginForm.value(of: "username", in: html)
        else { return nil }
        (self.request, self.csrf, self.conversation, self.username) = (request, csrf, conversation, username)
    }

    func fields(answer: String) -> [String: String] {
        ["request": request, "csrf": csrf, "conversation": conversation, "username": username, "answer": answer]
    }
}
