/// An RFC 7662 §2.2 introspection response: `{"active":false}` for anything not active (refresh tokens
/// always), or an active access token's claims.
public struct Introspection: Codable, Sendable, Equatable {
    public var active: Bool
    public var tokenType: String?
    public var sub: String?
    public var aud: [String]?
    public var iss: String?
    public var exp: Int?
    public var iat: Int?
    public var nbf: Int?
    public var jti: String?
    public var clientID: String?
    public var scope: String?
    public var sid: String?
    public var uid: UInt32?
    public var gid: UInt32?
    public var groups: [String]?
    public var name: String?
    public var amr: [String]?
    public var authTime: Int?

    enum CodingKeys: String, CodingKey {
        case active, sub, aud, iss, exp, iat, nbf, jti, scope, sid, uid, gid, groups, name, amr
        case tokenType = "token_type"
        case clientID = "client_id"
        case authTime = "auth_time"
    }

    /// RFC 7662 §2.2: an inactive token gets `{"active":false}` and nothing else.
    public static let inactive = Introspection(active: false)

    /// An answer with only `active` set; fill in the claims of an active token.
    public init(active: Bool) {
        self.active = active
    }
}
