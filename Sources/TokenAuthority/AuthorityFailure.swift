/// Why the authority refused or could not do something, in the categories a client must tell apart.
///
/// The domain's own failures, free of HTTP: the server maps each case to an RFC 6749 §5.2 or RFC 6750
/// §3 response in one place (`AuthorityFailure.init(_:)` in TokenServer). Messages are written for clients:
/// they never contain a password, a token, or whether a user exists.
public enum AuthorityFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request is malformed (missing or oversized parameter, conflicting parameters).
    case invalidRequest(String)
    /// The grant type is not offered (or not enabled).
    case unsupportedGrantType(String)
    /// Credentials, a refresh token or an account check failed.
    case invalidGrant(String)
    /// PAM refused the new password of an expired one (`pam_chauthtok`): the stack's own words. Only
    /// said to whoever answered the old password and the prompts, so nothing about the account leaks.
    case passwordNotChanged(String)
    /// The grant is not allowed for this caller (peercred over TCP, for root …).
    case unauthorizedClient(String)
    /// Client authentication failed at the token endpoint (RFC 6749 §5.2 `invalid_client`, 401).
    case invalidClient(String)
    /// Throttled, or PAM saturated: PAM was not asked. Retry after this many seconds.
    case tooManyAttempts(retryAfter: Int)
    /// A Bearer token is missing, invalid or revoked; `expired` when its only fault is its age.
    case invalidToken(String, expired: Bool = false)
    /// Authenticated, but not allowed (not a member of a required group, not an admin).
    case forbidden(String)
    /// No such resource (a session id that is not the caller's).
    case notFound(String)
    /// The database, PAM or signing failed: logged in detail, told to the client without any.
    case temporarilyUnavailable

    /// Not the client's fault and worth retrying as it is: throttled, or the daemon cannot answer now.
    public var isTransient: Bool {
        switch self {
        case .tooManyAttempts, .temporarilyUnavailable: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .invalidRequest(let message), .invalidGrant(let message), .unauthorizedClient(let message), .forbidden(let message),
            .notFound(let message), .invalidClient(let message):
            message
        case .unsupportedGrantType(let grant): "grant_type \(grant.prefix(80).debugDescription) is not supported"
        case .tooManyAttempts(let seconds): "too many attempts; retry after \(max(1, seconds)) s"
        case .invalidToken(let message, _): message
        case .temporarilyUnavailable: "the service is temporarily unavailable"
        case .passwordNotChanged(let said): "the password was not changed: \(said)"
        }
    }
}
