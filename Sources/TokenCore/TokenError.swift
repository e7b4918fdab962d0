/// Why an access token was rejected. One case per rule, so the server can answer precisely
/// (`IS-TOKEN-EXPIRED` for ``expired`` only) and tests can prove each rule on its own.
///
/// Descriptions are safe for clients and logs: they never quote the token or its signature.
public enum TokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not three base64url parts, undecodable JSON, missing claims, or larger than any token we issue.
    case malformed
    /// The header names an algorithm other than the configured one (including `none`). RFC 8725 §3.1.
    case algorithmNotAllowed(String)
    /// The `typ` header is not `at+jwt` (RFC 9068 §2.1, RFC 8725 §3.11): e.g. an ID token.
    case wrongType
    /// No `kid`, or a `kid` that is not one of our keys.
    case unknownKey
    /// The signature does not verify.
    case badSignature
    /// `iss` is not this daemon.
    case wrongIssuer
    /// `aud` names none of the accepted audiences.
    case wrongAudience
    /// `nbf` (or `iat`) is in the future.
    case notYetValid
    /// The token is valid in every respect but its `exp` has passed. Reported only when nothing else is
    /// wrong, so that `IS-TOKEN-EXPIRED: true` means "refresh and try again" and nothing more.
    case expired
    /// The token is well formed and signed, but its session has been revoked.
    case revoked

    public var description: String {
        switch self {
        case .malformed: "the token is malformed"
        case .algorithmNotAllowed(let alg): "the token's algorithm \(alg.prefix(16)) is not accepted"
        case .wrongType: "the token is not an access token (typ must be at+jwt)"
        case .unknownKey: "the token was signed by an unknown key"
        case .badSignature: "the token's signature is invalid"
        case .wrongIssuer: "the token was issued by another issuer"
        case .wrongAudience: "the token is meant for another audience"
        case .notYetValid: "the token is not valid yet"
        case .expired: "the token has expired"
        case .revoked: "the token's session has been revoked"
        }
    }
}
