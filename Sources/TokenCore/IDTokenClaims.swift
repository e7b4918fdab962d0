import Crypto
public import Foundation
public import JWTKit

/// The claims of an ID token (OpenID Connect Core 1.0 §2): who signed in, for which client, when and
/// how, plus the Linux identity by scope (`profile`, `groups`, `posix`). docs/api.md#id-token.
public struct IDTokenClaims: JWTPayload, Equatable {
    /// The configured issuer.
    public var iss: IssuerClaim
    /// The user name: stable for an account and readable by people (`subject_types_supported: public`).
    public var sub: SubjectClaim
    /// The client id, alone: the token is for that relying party only.
    public var aud: AudienceClaim
    /// `iat` + `access_ttl`.
    public var exp: ExpirationClaim
    /// When it was signed.
    public var iat: IssuedAtClaim
    /// When the user typed their password (the browser session's login).
    public var authTime: Date
    /// The `nonce` of the authorization request, echoed so the client can bind the token to it.
    public var nonce: String?
    /// Half of the access token's hash (§3.1.3.6), binding the two tokens of one response.
    public var atHash: String?
    /// `["pwd"]`.
    public var amr: [String]
    /// The browser session at the provider (RP-initiated logout names it).
    public var sid: String
    /// The user name again (scope `profile`), the member OpenID clients read for a login name.
    public var preferredUsername: String?
    /// The GECOS full name (scope `profile`).
    public var name: String?
    /// Group names, primary first (scope `groups`).
    public var groups: [String]?
    /// The numeric user id (scope `posix`).
    public var uid: UInt32?
    /// The primary group id (scope `posix`).
    public var gid: UInt32?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, amr, sid, name, groups, uid, gid
        case authTime = "auth_time"
        case atHash = "at_hash"
        case preferredUsername = "preferred_username"
    }

    /// The claims for `identity` signing in to `clientID`, with the members `scopes` allow.
    public init(
        issuer: String, identity: UserIdentity, clientID: String, issuedAt: Date, expiresAt: Date, authTime: Date, nonce: String?,
        sessionID: String, authMethod: AuthMethod, scopes: [String]
    ) {
        iss = IssuerClaim(value: issuer)
        sub = SubjectClaim(value: identity.user)
        aud = AudienceClaim(value: clientID)
        exp = ExpirationClaim(value: expiresAt)
        iat = IssuedAtClaim(value: issuedAt)
        self.authTime = Date(timeIntervalSince1970: authTime.timeIntervalSince1970.rounded(.down))
        self.nonce = nonce
        amr = [authMethod.rawValue]
        sid = sessionID
        if scopes.contains("profile") {
            preferredUsername = identity.user
            name = identity.name
        }
        if scopes.contains("groups") { groups = identity.groups }
        if scopes.contains("posix") {
            uid = identity.uid
            gid = identity.gid
        }
    }

    /// Does nothing: clients verify ID tokens; the daemon only reads its own back at `/end_session`,
    /// where an expired one is still a fine hint.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// `at_hash`/`c_hash` (§3.1.3.6): the left half of the hash of the ASCII token, base64url — SHA-256
    /// for ES256, RS256 and HS256, SHA-512 for Ed25519 (the OpenID Foundation's errata for EdDSA).
    public static func leftHalfHash(of token: String, algorithm: SigningAlgorithm) -> String {
        let digest: [UInt8] =
            switch algorithm {
            case .edDSA: Array(SHA512.hash(data: Data(token.utf8)))
            default: Array(SHA256.hash(data: Data(token.utf8)))
            }
        return Data(digest.prefix(digest.count / 2)).base64URLEncodedString()
    }
}
