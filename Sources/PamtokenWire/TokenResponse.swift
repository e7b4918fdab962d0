/// RFC 6749 §5.1 token response, plus `refresh_token_expires_in` so that clients know when to log in
/// again (docs/api.md, "Token endpoint"). What `POST /token` answers and the CLI decodes.
public struct TokenResponse: Codable, Sendable, Equatable {
    /// The access token: a JWT (RFC 9068), to send as `Authorization: Bearer …`.
    public var accessToken: String
    /// Always `Bearer`.
    public var tokenType: String
    /// Seconds until the access token expires.
    public var expiresIn: Int
    /// The rotating refresh token (`ptr_…`): presented once, then replaced by the next one.
    public var refreshToken: String
    /// Seconds the refresh token stays valid unused.
    public var refreshTokenExpiresIn: Int?
    /// The scope the tokens were granted for, when the client asked for one.
    public var scope: String?
    /// The OpenID Connect ID token, for an authorization code granted `openid`.
    public var idToken: String?
    /// What PAM modules said during a `POST /conversation` login ("your password will expire in 3
    /// days"), for the person; absent elsewhere and when they said nothing.
    public var messages: [ConversationMessage]?

    /// A value with every member given, as the daemon builds it.
    public init(
        accessToken: String, tokenType: String = "Bearer", expiresIn: Int, refreshToken: String, refreshTokenExpiresIn: Int?, scope: String?,
        idToken: String? = nil, messages: [ConversationMessage]? = nil
    ) {
        self.messages = messages
        self.idToken = idToken
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.refreshToken = refreshToken
        self.refreshTokenExpiresIn = refreshTokenExpiresIn
        self.scope = scope
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case scope
        case idToken = "id_token"
        case messages
    }
}
