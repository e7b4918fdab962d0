/// A successful token response (RFC 6749 §5.1), plus the refresh token's lifetime (docs/api.md#token-endpoint).
public struct TokenGrant: Sendable, Encodable {
    public var accessToken: String
    public var tokenType = "Bearer"
    public var expiresIn: Int
    public var refreshToken: String
    public var refreshTokenExpiresIn: Int
    public var scope: String?
    /// The user the tokens are for. Not part of the response body.
    public var user = ""

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case scope
    }

    /// A grant never prints its tokens.
    public var redacted: String { "TokenGrant(expires_in: \(expiresIn))" }
}
