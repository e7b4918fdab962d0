import Foundation
import Hummingbird
import TokenCore

/// The two cookies of browser sign-in, named with the `__Host-` prefix when the issuer is https (the
/// browser then guarantees `Secure`, `Path=/` and no `Domain`: no other host or path can set them).
///
/// - The login cookie binds a login form to the browser that loaded it (the form's seal names it).
/// - The browser-session cookie is single sign-on: a 256-bit secret whose hash is a session's key.
struct BrowserCookies: Sendable {
    let secure: Bool
    let loginName: String
    let sessionName: String
    /// How long the browser keeps the session cookie: the session's own absolute lifetime.
    let sessionMaxAge: Int

    init(issuer: String, sessionMaxAge: Int) {
        secure = issuer.lowercased().hasPrefix("https://")
        loginName = (secure ? "__Host-" : "") + "pamtoken_login"
        sessionName = (secure ? "__Host-" : "") + "pamtoken_sso"
        self.sessionMaxAge = sessionMaxAge
    }

    /// The login cookie's value, when the browser sent a well-formed one.
    func loginBinding(in request: Request) -> String? {
        guard let value = request.cookies[loginName]?.value, value.utf8.count == 43, Data(base64URLEncoded: value)?.count == 32 else {
            return nil
        }
        return value
    }

    /// A new login cookie value.
    static func newLoginBinding() -> String { Data.random(count: 32).base64URLEncodedString() }

    func loginCookie(_ value: String) -> Cookie {
        Cookie(name: loginName, value: value, maxAge: Int(600), path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The browser session the cookie names, when it is well-formed (the store decides if it is live).
    func browserSession(in request: Request) -> BrowserSessionSecret? {
        request.cookies[sessionName].flatMap { BrowserSessionSecret($0.value) }
    }

    func sessionCookie(_ secret: BrowserSessionSecret) -> Cookie {
        Cookie(name: sessionName, value: secret.value, maxAge: sessionMaxAge, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// Tells the browser to forget the session cookie.
    func clearedSessionCookie() -> Cookie {
        Cookie(name: sessionName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}
