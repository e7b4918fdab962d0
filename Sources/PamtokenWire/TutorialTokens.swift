/// The tutorial routes' response shape: `{"Access_Token": …, "Refresh_Token": …}`.
public struct TutorialTokens: Codable, Sendable, Equatable {
    /// The access token: a JWT (RFC 9068), to send as `Authorization: Bearer …`.
    public var accessToken: String
    /// The rotating refresh token (`ptr_…`): presented once, then replaced by the next one.
    public var refreshToken: String

    /// A value with every member given, as the daemon builds it.
    public init(accessToken: String, refreshToken: String) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "Access_Token"
        case refreshToken = "Refresh_Token"
    }
}
