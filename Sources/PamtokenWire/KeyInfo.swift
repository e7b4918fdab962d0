/// `GET /admin/keys`: public facts about one signing key, never key material. Times are Unix seconds.
public struct KeyInfo: Codable, Sendable, Equatable {
    public var kid: String
    public var alg: String
    public var active: Bool
    public var createdAt: Int64
    public var retiredAt: Int64?

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

/// `{"keys": [...]}`.
public struct KeyList: Codable, Sendable, Equatable {
    public var keys: [KeyInfo]

    public init(keys: [KeyInfo]) {
        self.keys = keys
    }
}
