/// The daemon's JSON answers (CONTRACT §3), decoded with the snake_case names it sends.

/// RFC 6749 §5.1 token response, plus `refresh_token_expires_in` (CONTRACT §3.1).
public struct TokenResponse: Decodable, Sendable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var refreshToken: String
    public var refreshTokenExpiresIn: Int?
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresIn = "refresh_token_expires_in"
        case scope
    }
}

/// RFC 6749 §5.2 error body.
struct OAuthErrorBody: Decodable {
    var error: String
    var errorDescription: String?

    enum CodingKeys: String, CodingKey {
        case error
        case errorDescription = "error_description"
    }
}

/// One session as `GET /sessions` and `GET /admin/sessions` describe it; times are Unix seconds.
public struct SessionInfo: Decodable, Sendable {
    public var id: String
    public var user: String
    public var createdAt: Int64
    public var lastUsedAt: Int64
    public var expiresAt: Int64
    public var authMethod: String
    public var clientID: String
    public var peer: String?
    public var current: Bool?

    enum CodingKeys: String, CodingKey {
        case id, user, peer, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case authMethod = "auth_method"
        case clientID = "client_id"
    }
}

struct SessionListing: Decodable {
    var sessions: [SessionInfo]
}

/// `GET /admin/keys`: public facts about the signing keys.
public struct KeyInfo: Decodable, Sendable {
    public var kid: String
    public var alg: String
    public var active: Bool
    public var createdAt: Int64
    public var retiredAt: Int64?

    enum CodingKeys: String, CodingKey {
        case kid, alg, active
        case createdAt = "created_at"
        case retiredAt = "retired_at"
    }
}

struct KeyListing: Decodable {
    var keys: [KeyInfo]
}

/// `POST /admin/gc`.
struct GarbageReport: Decodable {
    var deletedRows: Int
    var prunedKeys: [String]

    enum CodingKeys: String, CodingKey {
        case deletedRows = "deleted_rows"
        case prunedKeys = "pruned_keys"
    }
}

/// `POST /admin/revoke`.
struct RevokeCount: Decodable {
    var revoked: Int
}

/// The part of the RFC 8414 metadata the CLI uses.
struct ServerMetadata: Decodable {
    var issuer: String
}
