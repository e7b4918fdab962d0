import Foundation
import HTTPTypes
import Hummingbird

/// The pages of browser sign-in: the login form, the error pages, and the sign-out pages. Their
/// field names and ids are part of the API (docs/api.md#the-login-page): browser tests and password
/// managers rely on them.
enum SignInPages {
    /// The login form for one sealed authorization request.
    static func login(
        issuer: String, clientName: String, request: String, csrf: String, username: String = "", failed: Bool = false,
        failure: String? = nil, redirectURI: String
    ) -> HTMLPage {
        let host = ProcessInfo.processInfo.hostName
        let failed = failed || failure != nil
        let text = failure ?? "Invalid username or password."
        let message = failed ? "<p class=\"error\" role=\"alert\">\(HTMLPage.escape(text))</p>\n" : ""
        let body = """
            <h1>Sign in</h1>
            <p>to <strong>\(HTMLPage.escape(clientName))</strong> with your account on <strong>\(HTMLPage.escape(host))</strong>.</p>
            \(message)<form method="post" action="\(HTMLPage.escape(endpoint(issuer, "/login")))">
            <input type="hidden" name="request" value="\(HTMLPage.escape(request))">
            <input type="hidden" name="csrf" value="\(HTMLPage.escape(csrf))">
            <label for="username">Username</label>
            <input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required \
            value="\(HTMLPage.escape(username))"\(username.isEmpty ? " autofocus" : "")>
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required\(username.isEmpty ? "" : " autofocus")>
            <button id="sign-in" type="submit">Sign in</button>
            </form>
            """
        return HTMLPage(title: "Sign in", body: body, status: failed ? .badRequest : .ok, formTargets: [redirectURI])
    }

    /// The next question of the PAM stack (a one-time code, a new password), in the module's words,
    /// after what modules said before it. Answered once: the handle is single use.
    static func prompt(
        issuer: String, clientName: String, request: String, csrf: String, conversation: String, username: String, prompt: PAMPromptView,
        notes: [PAMPromptView], redirectURI: String
    ) -> HTMLPage {
        let items = notes.map { "<li class=\"\($0.isError ? "error" : "info")\">\(HTMLPage.escape($0.text))</li>" }
        let list = items.isEmpty ? "" : "<ul id=\"pam-messages\">\n\(items.joined(separator: "\n"))\n</ul>\n"
        let label = prompt.text.trimmingCharacters(in: .whitespaces)
        let body = """
            <h1>Sign in</h1>
            <p>to <strong>\(HTMLPage.escape(clientName))</strong> as <strong>\(HTMLPage.escape(username))</strong>.</p>
            \(list)<form method="post" action="\(HTMLPage.escape(endpoint(issuer, "/login")))">
            <input type="hidden" name="request" value="\(HTMLPage.escape(request))">
            <input type="hidden" name="csrf" value="\(HTMLPage.escape(csrf))">
            <input type="hidden" name="conversation" value="\(HTMLPage.escape(conversation))">
            <input type="hidden" name="username" value="\(HTMLPage.escape(username))">
            <label for="answer">\(HTMLPage.escape(label.isEmpty ? "Answer" : label))</label>
            <input id="answer" name="answer" type="\(prompt.isSecret ? "password" : "text")" autocomplete="\(prompt.autocomplete)" \
            autocapitalize="none" spellcheck="false" autofocus>
            <button id="continue" type="submit">Continue</button>
            </form>
            """
        return HTMLPage(title: "Sign in", body: body, formTargets: [redirectURI])
    }

    /// A page that ends the flow with a message and no way back to the client.
    static func error(_ message: String, status: HTTPResponse.Status, retryAfter: Int? = nil) -> HTMLPage {
        var page = HTMLPage(
            title: status == .forbidden ? "Not allowed" : "Cannot sign in",
            body:
                "<h1>\(status == .forbidden ? "Not allowed" : "Cannot sign in")</h1>\n<p class=\"error\" role=\"alert\">\(HTMLPage.escape(message))</p>",
            status: status)
        if let retryAfter { page.headers[.retryAfter] = String(max(1, retryAfter)) }
        return page
    }

    /// Asks the user to confirm signing out (no valid `id_token_hint`: the request may come from anywhere).
    static func confirmSignOut(issuer: String, csrf: String, parameters: [(String, String)], formTargets: [String] = []) -> HTMLPage {
        let hidden = parameters.map { "<input type=\"hidden\" name=\"\(HTMLPage.escape($0.0))\" value=\"\(HTMLPage.escape($0.1))\">" }
        let body = """
            <h1>Sign out</h1>
            <p>Sign out of every application you signed in to with pamtoken in this browser?</p>
            <form method="post" action="\(HTMLPage.escape(endpoint(issuer, "/end_session")))">
            <input type="hidden" name="csrf" value="\(HTMLPage.escape(csrf))">
            \(hidden.joined(separator: "\n"))
            <button id="sign-out" type="submit">Sign out</button>
            </form>
            """
        return HTMLPage(title: "Sign out", body: body, formTargets: formTargets)
    }

    /// The end of a sign-out with nowhere registered to go.
    static func signedOut() -> HTMLPage {
        HTMLPage(title: "Signed out", body: "<h1>Signed out</h1>\n<p>You have signed out. You can close this window.</p>")
    }

    /// An endpoint under the issuer (which may carry a path when a proxy serves the daemon under one).
    static func endpoint(_ issuer: String, _ path: String) -> String {
        (issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer) + path
    }
}
