/// `GET /admin/keys`: public facts about one signing key, never key material. Times are Unix seconds.
public struct KeyInfo: Codable, Sendable, Equatable {
    /// The key id (RFC 7638 thumbprint), as in the JWKS and token headers.
    public var kid: String
    /// The JWS algorithm, e.g. `ES256`.
    public var alg: String
    /// Whether it is the key that signs new tokens.
    public var active: Bool
    /// When it was created (Unix seconds).
    public var createdAt: Int64
    /// When it stopped signing (Unix seconds); it stays published until no token it signed is valid.
    public var retiredAt: Int64?

    /// A value with every member given, as the daemon builds it.
    public init(kid: String, alg: String, active: Bool, createdAt: Int64, retiredAt: Int64?) {
        self.kid = kid
        self.alg = alg
        self.active = active
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }

    enum CodingKeys: String, CodingKey {
        case kid, alg, active
        case createdAt = "created_at"
        case retiredAt = "retired_at"
    }
}

/// `GET /admin/keys`, in a fleet: another host's public key that this host trusts (docs/fleet.md, "Keys").
public struct FleetKeyInfo: Codable, Sendable, Equatable {
    /// The key id, as in the JWKS and token headers.
    public var kid: String
    /// The JWS algorithm, e.g. `ES256`.
    public var alg: String
    /// The host that published it (its `hostname`).
    public var host: String
    /// Until when it is trusted unless its host publishes it again (Unix seconds).
    public var notAfter: Int64

    /// A value with every member given, as the daemon builds it.
    public init(kid: String, alg: String, host: String, notAfter: Int64) {
        self.kid = kid
        self.alg = alg
        self.host = host
        self.notAfter = notAfter
    }

    enum CodingKeys: String, CodingKey {
        case kid, alg, host
        case notAfter = "not_after"
    }
}

/// `{"keys": [...]}`, and in a fleet `"fleet": [...]`.
public struct KeyList: Codable, Sendable, Equatable {
    /// This host's keys, active key first.
    public var keys: [KeyInfo]
    /// The other hosts' keys this host trusts; absent on a host with a store of its own.
    public var fleet: [FleetKeyInfo]?

    /// A value with every member given, as the daemon builds it.
    public init(keys: [KeyInfo], fleet: [FleetKeyInfo]? = nil) {
        self.keys = keys
        self.fleet = fleet
    }
}
