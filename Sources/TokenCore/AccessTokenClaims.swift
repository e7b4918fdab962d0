public import Foundation
public import JWTKit

/// The claims of an access token: RFC 9068's JWT profile for OAuth 2.0 access tokens, plus the Linux
/// identity a local service needs (`uid`, `gid`, `groups`, `name`). docs/api.md#access-token.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var iss: IssuerClaim
    /// The user name (RFC 9068 §2.2: the resource owner).
    public var sub: SubjectClaim
    public var aud: AudienceClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim
    public var nbf: NotBeforeClaim
    /// Unique per token (RFC 9068 §2.2 requires `jti`).
    public var jti: IDClaim
    public var clientID: String
    /// When the user last authenticated with PAM: the session's login, not this token's issue.
    public var authTime: Date
    /// The session (token family) the token belongs to; revoking the session makes it inactive.
    public var sid: String
    /// Authentication methods (RFC 8176): `["pwd"]` or `["peercred"]`.
    public var amr: [String]
    public var uid: UInt32
    public var gid: UInt32
    /// Names of the user's groups, primary group included (`getgrouplist`).
    public var groups: [String]
    /// The GECOS full name, when the account has one.
    public var name: String?
    public var scope: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, sid, amr, uid, gid, groups, name, scope
        case clientID = "client_id"
        case authTime = "auth_time"
    }

    public init(
        issuer: String, subject: String, audience: [String], issuedAt: Date, expiresAt: Date, tokenID: String,
        clientID: String, authTime: Date, sessionID: String, authMethod: AuthMethod,
        uid: UInt32, gid: UInt32, groups: [String], name: String?, scope: String?
    ) {
        self.iss = IssuerClaim(value: issuer)
        self.sub = SubjectClaim(value: subject)
        self.aud = AudienceClaim(value: audience)
        self.exp = ExpirationClaim(value: expiresAt)
        self.iat = IssuedAtClaim(value: issuedAt)
        self.nbf = NotBeforeClaim(value: issuedAt)
        self.jti = IDClaim(value: tokenID)
        self.clientID = clientID
        self.authTime = authTime
        self.sid = sessionID
        self.amr = [authMethod.rawValue]
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.name = name
        self.scope = scope
    }

    /// Does nothing: jwt-kit calls this without a clock, so the time-dependent checks live in
    /// ``TokenVerifier``, which has the injected one.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.iss == rhs.iss && lhs.sub == rhs.sub && lhs.aud == rhs.aud && lhs.exp == rhs.exp && lhs.iat == rhs.iat
            && lhs.nbf == rhs.nbf && lhs.jti == rhs.jti && lhs.clientID == rhs.clientID && lhs.authTime == rhs.authTime
            && lhs.sid == rhs.sid && lhs.amr == rhs.amr && lhs.uid == rhs.uid && lhs.gid == rhs.gid
            && lhs.groups == rhs.groups && lhs.name == rhs.name && lhs.scope == rhs.scope
    }
}
