/// One session as `GET /sessions` and `GET /admin/sessions` describe it; times are Unix seconds, like
/// the JWT claims. `current` is set on the caller's own listing only.
public struct SessionInfo: Codable, Sendable, Equatable {
    /// The session id (the `sid` claim of its access tokens).
    public var id: String
    /// The user name.
    public var user: String
    /// When it was created (Unix seconds).
    public var createdAt: Int64
    /// When it was last refreshed (Unix seconds).
    public var lastUsedAt: Int64
    /// When the session ends if nothing else happens: idle expiry, capped by the absolute end.
    public var expiresAt: Int64
    /// How the login was proven: `pwd` or `peercred`.
    public var authMethod: String
    /// The client id the login named.
    public var clientID: String
    /// Who logged in, as the daemon saw the connection (`uid 1000 pid 4242`, or an address).
    public var peer: String?
    /// Whether this is the session of the token that asked.
    public var current: Bool?

    /// A value with every member given, as the daemon builds it.
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
    /// The sessions, newest first.
    public var sessions: [SessionInfo]

    /// A value with every member given, as the daemon builds it.
    public init(sessions: [SessionInfo]) {
        self.sessions = sessions
    }
}
