public import TokenCore

/// Why a request or token was refused by ``PAMTokenVerifier``.
public enum PAMTokenAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The token breaks a rule of docs/api.md#access-token (expired, wrong issuer, bad signature …).
    case invalidToken(TokenError)
    /// The daemon's discovery document or JWKS could not be fetched or understood.
    case discoveryFailed(String)
    /// The daemon signs with HS256, whose key is secret: tokens can only be checked by the daemon
    /// itself (`/introspect` or `/auth`).
    case notVerifiableOffline

    /// One line for a log or an error page; never holds the token.
    public var description: String {
        switch self {
        case .invalidToken(let reason): "invalid token: \(reason)"
        case .discoveryFailed(let reason): "cannot load the daemon's keys: \(reason)"
        case .notVerifiableOffline: "the daemon signs with HS256; verify through its /introspect or /auth endpoint instead"
        }
    }
}
