/// The tutorial routes' response shape: `{"Access_Token": …, "Refresh_Token": …}`.
public struct TutorialTokens: Codable, Sendable, Equatable {
    public var accessToken: String
    public var refreshToken: String

    public init(accessToken: String, refreshToken: String) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "Access_Token"
        case refreshToken = "Refresh_Token"
    }
}
