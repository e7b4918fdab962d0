/// RFC 6749 §5.1 token response, plus `refresh_token_expires_in` so that clients know when to log in
/// again (docs/api.md, "Token endpoint"). What `POST /token` answers and the CLI decodes.
public struct TokenResponse: Codable, Sendable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var refreshToken: String
    public var refreshTokenExpiresIn: Int?
    public var scope: String?

    public init(
        accessToken: String, tokenType: String = "Bearer", expiresIn: Int, refreshToken: String, refreshTokenExpiresIn: Int?, scope: String?
    ) {
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
    }
}
