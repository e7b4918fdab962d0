public import Foundation
import PamtokenWire

/// A logged-in session as the CLI keeps it on disk (JSON, mode 0600). Times are Unix seconds, like the
/// JWT claims they come from. The refresh token is the secret that matters; the file is written only
/// through `PrivateFiles`, so it is never readable by anyone else, even for an instant.
public struct StoredSession: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    /// The address the session was made through (``DaemonAddress/description``).
    public var daemon: String
    /// `iss` of the access tokens.
    public var issuer: String
    public var user: String
    /// `sid` of the access tokens: the session (token family) on the daemon.
    public var sessionID: String
    public var accessToken: String
    public var accessTokenExpiresAt: Int64
    public var refreshToken: String
    public var refreshTokenExpiresAt: Int64?
    public var loggedInAt: Int64
    public var refreshedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case version, daemon, issuer, user
        case sessionID = "session_id"
        case accessToken = "access_token"
        case accessTokenExpiresAt = "access_token_expires_at"
        case refreshToken = "refresh_token"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case loggedInAt = "logged_in_at"
        case refreshedAt = "refreshed_at"
    }

    /// Builds the record from a token response. The access token comes from our daemon over a local
    /// socket, so its claims are read without verifying the signature; `exp` is taken from the token
    /// itself rather than computed from `expires_in`, so the cache can never outlive the token.
    init(response: TokenResponse, address: DaemonAddress, now: Date, loggedInAt: Int64? = nil) throws(CLIError) {
        guard let claims = UnverifiedJWT(response.accessToken)?.claims, let sessionID = claims.sid, let user = claims.sub,
            let expiry = claims.exp
        else { throw .refused("the daemon returned an access token this version of pamtoken cannot read") }
        let nowSeconds = Int64(now.timeIntervalSince1970)
        self.version = Self.currentVersion
        self.daemon = address.description
        self.issuer = claims.iss ?? ""
        self.user = user
        self.sessionID = sessionID
        self.accessToken = response.accessToken
        self.accessTokenExpiresAt = Int64(expiry)
        self.refreshToken = response.refreshToken
        self.refreshTokenExpiresAt = response.refreshTokenExpiresIn.map { nowSeconds + Int64($0) }
        self.loggedInAt = loggedInAt ?? nowSeconds
        self.refreshedAt = loggedInAt == nil ? nil : nowSeconds
    }

    /// Seconds the cached access token has left (negative once expired).
    public func accessSecondsLeft(at now: Date) -> Int64 {
        accessTokenExpiresAt - Int64(now.timeIntervalSince1970.rounded(.down))
    }

    public var accessExpiry: Date { Date(timeIntervalSince1970: TimeInterval(accessTokenExpiresAt)) }
    public var refreshExpiry: Date? { refreshTokenExpiresAt.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
}
