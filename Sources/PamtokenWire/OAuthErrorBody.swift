/// RFC 6749 §5.2 error body, the shape of every error the daemon answers (docs/api.md, "Errors").
public struct OAuthErrorBody: Codable, Sendable, Equatable {
    /// The RFC 6749 error code, e.g. `invalid_grant`.
    public var error: String
    /// One sentence for people; never a secret, never whether a user exists.
    public var errorDescription: String?

    /// A value with every member given, as the daemon builds it.
    public init(error: String, errorDescription: String?) {
        self.error = error
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}
