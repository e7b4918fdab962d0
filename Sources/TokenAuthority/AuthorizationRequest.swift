/// An authorization request whose client and redirect URI are known to be registered together:
/// what `/authorize` asked for, carried (sealed) through the login form, and what a code is issued for.
public struct AuthorizationRequest: Sendable, Codable, Equatable {
    /// The registered client that asks.
    public var clientID: String
    /// Byte for byte one of the client's `redirect_uris`.
    public var redirectURI: String
    /// The client's own value, returned with the code or the error.
    public var state: String?
    /// Put into the ID token.
    public var nonce: String?
    /// The requested scopes, in order; the client's allowance is applied when the code is issued.
    public var scopes: [String]
    /// The S256 PKCE challenge.
    public var codeChallenge: String
    /// `prompt=login`.
    public var forceLogin: Bool
    /// `prompt=none`.
    public var noPrompt: Bool
    /// `max_age`, in seconds.
    public var maxAge: Int?

    /// A request with every member given.
    public init(
        clientID: String, redirectURI: String, state: String?, nonce: String?, scopes: [String], codeChallenge: String,
        forceLogin: Bool = false, noPrompt: Bool = false, maxAge: Int? = nil
    ) {
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.state = state
        self.nonce = nonce
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.forceLogin = forceLogin
        self.noPrompt = noPrompt
        self.maxAge = maxAge
    }

    enum CodingKeys: String, CodingKey {
        case clientID = "c"
        case redirectURI = "r"
        case state = "s"
        case nonce = "n"
        case scopes = "o"
        case codeChallenge = "p"
        case forceLogin = "l"
        case noPrompt = "x"
        case maxAge = "m"
    }
}

/// What `/authorize` (or the login form) leads to.
public enum AuthorizationStep: Sendable, Equatable {
    /// Show the login page for this request (with a message after a failed attempt).
    case login(AuthorizationRequest, clientName: String)
    /// Send the browser to the client: a code, or an RFC 6749 §4.1.2.1 error.
    case redirect(String)
    /// Show an error page and stop: the request cannot or must not reach the client.
    case refuse(AuthorizationRefusal)
}

/// Why a browser is shown an error page instead of going back to the client.
public enum AuthorizationRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request names no registered client or redirect URI (no redirect: RFC 6749 §4.1.2.1), or
    /// the login form was not one this daemon showed to this browser.
    case badRequest(String)
    /// The user may not sign in to this client (a group rule) or at all now (the account check).
    case forbidden(String)
    /// Too many attempts; retry after this many seconds.
    case tooManyAttempts(retryAfter: Int)
    /// The daemon cannot answer now.
    case unavailable

    public var description: String {
        switch self {
        case .badRequest(let message), .forbidden(let message): message
        case .tooManyAttempts(let seconds): "Too many attempts. Try again in \(max(1, seconds)) seconds."
        case .unavailable: "The sign-in service is temporarily unavailable. Try again later."
        }
    }
}
