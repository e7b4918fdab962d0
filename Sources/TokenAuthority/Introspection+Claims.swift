import Foundation
import JWTKit
public import PamtokenWire
public import TokenCore

extension Introspection {
    /// The answer for an active access token: its claims.
    public init(access claims: AccessTokenClaims) {
        self.init(active: true)
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
