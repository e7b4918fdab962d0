/// One session as `GET /sessions` and `GET /admin/sessions` describe it; times are Unix seconds, like
/// the JWT claims. `current` is set on the caller's own listing only.
public struct SessionInfo: Codable, Sendable, Equatable {
    public var id: String
    public var user: String
    public var createdAt: Int64
    public var lastUsedAt: Int64
    /// When the session ends if nothing else happens: idle expiry, capped by the absolute end.
    public var expiresAt: Int64
    public var authMethod: String
    public var clientID: String
    public var peer: String?
    public var current: Bool?

    public init(
        id: String, user: String, createdAt: Int64, lastUsedAt: Int64, expiresAt: Int64, authMethod: String, clientID: String, peer: String?,
        current: Bool?
    ) {
        self.id = id
        self.user = user
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
        self.authMethod = authMethod
        self.clientID = clientID
        self.peer = peer
        self.current = current
    }

    enum CodingKeys: String, CodingKey {
        case id, user, peer, current
        case createdAt = "created_at"
        case lastUsedAt = "last_used_at"
        case expiresAt = "expires_at"
        case authMethod = "auth_method"
        case clientID = "client_id"
    }
}

/// `{"sessions": [...]}`.
public struct SessionList: Codable, Sendable, Equatable {
    public var sessions: [SessionInfo]

    public init(sessions: [SessionInfo]) {
        self.sessions = sessions
    }
}
