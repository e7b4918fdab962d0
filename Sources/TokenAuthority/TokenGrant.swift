/// What a successful grant produced: the tokens, their lifetimes and the user they are for. The server
/// renders it as the RFC 6749 §5.1 `TokenResponse` of PamtokenWire (docs/api.md#token-endpoint).
public struct TokenGrant: Sendable {
    /// The signed access token (a JWT).
    public var accessToken: String
    /// Always `Bearer`.
    public var tokenType = "Bearer"
    /// Seconds until the access token expires.
    public var expiresIn: Int
    /// The new refresh token; only its hash is stored.
    public var refreshToken: String
    /// Seconds the refresh token stays valid unused.
    public var refreshTokenExpiresIn: Int
    /// The session's scope, when it has one.
    public var scope: String?
    /// The OpenID Connect ID token, for an authorization code granted `openid`.
    public var idToken: String?
    /// The user the tokens are for, for the access log. Not part of the response body.
    public var user = ""

    /// A grant never prints its tokens.
    public var redacted: String { "TokenGrant(expires_in: \(expiresIn))" }
}
