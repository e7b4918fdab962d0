import Foundation
import JWTKit
import TokenCore

/// An RFC 7662 §2.2 introspection response.
public struct Introspection: Sendable, Encodable, Equatable {
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

    init(active: Bool) {
        self.active = active
    }

    init(access claims: AccessTokenClaims) {
        self.active = true
        tokenType = "access_token"
        sub = claims.sub.value
        aud = claims.aud.value
        iss = claims.iss.value
        exp = Int(claims.exp.value.timeIntervalSince1970)
        iat = Int(claims.iat.value.timeIntervalSince1970)
        nbf = Int(claims.nbf.value.timeIntervalSince1970)
        jti = claims.jti.value
        clientID = claims.clientID
        scope = claims.scope
        sid = claims.sid
        uid = claims.uid
        gid = claims.gid
        groups = claims.groups
        name = claims.name
        amr = claims.amr
        authTime = Int(claims.authTime.timeIntervalSince1970)
    }
}
