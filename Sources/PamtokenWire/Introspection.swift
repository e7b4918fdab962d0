/// An RFC 7662 §2.2 introspection response: `{"active":false}` for anything not active (refresh tokens
/// always), or an active access token's claims.
public struct Introspection: Codable, Sendable, Equatable {
    /// Whether the token is active now; when false, nothing else is set.
    public var active: Bool
    /// `access_token`, for an active one.
    public var tokenType: String?
    /// The user name (`sub`).
    public var sub: String?
    /// Audiences.
    public var aud: [String]?
    /// Issuer.
    public var iss: String?
    /// Expiry (Unix seconds).
    public var exp: Int?
    /// Issued at (Unix seconds).
    public var iat: Int?
    /// Not before (Unix seconds).
    public var nbf: Int?
    /// The token id.
    public var jti: String?
    /// The client id of the session.
    public var clientID: String?
    /// The scope of the session, when it has one.
    public var scope: String?
    /// The session id.
    public var sid: String?
    /// The numeric user id.
    public var uid: UInt32?
    /// The primary group id.
    public var gid: UInt32?
    /// Group names, the primary group first.
    public var groups: [String]?
    /// The GECOS full name, when the account has one.
    public var name: String?
    /// Authentication methods (RFC 8176).
    public var amr: [String]?
    /// When the user logged in (Unix seconds).
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
