public import Foundation
public import GRDB

/// A row of `authorization_codes`: what `/authorize` promised the client, kept until the code is
/// exchanged (once) and for ten minutes after it expires, so that a replay is recognised and answered
/// by revoking what the first exchange issued (RFC 6749 §4.1.2). Only the code's hash is stored.
public struct AuthorizationCodeRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    /// GRDB's table name.
    public static let databaseTableName = "authorization_codes"

    /// SHA-256 of the code: the only form stored.
    public var hash: Data
    /// The client it was issued to.
    public var clientID: String
    /// The redirect URI of the authorization request; the token request must name the same.
    public var redirectURI: String
    /// The PKCE S256 challenge the token request's verifier must hash to.
    public var codeChallenge: String
    /// The authorization request's `nonce`, for the ID token.
    public var nonce: String?
    /// The granted scopes, space-separated.
    public var scope: String
    /// The browser session (and so the user and the time of login) the code was issued in.
    public var browserSessionID: String
    /// Seconds since 1970.
    public var createdAt: Int64
    /// ``createdAt`` + 60 seconds.
    public var expiresAt: Int64
    /// Set when the code was exchanged; a second exchange is a replay.
    public var usedAt: Int64?
    /// The session the exchange started, revoked if the code is replayed.
    public var sessionID: String?

    enum CodingKeys: String, CodingKey {
        case hash, nonce, scope
        case clientID = "client_id"
        case redirectURI = "redirect_uri"
        case codeChallenge = "code_challenge"
        case browserSessionID = "browser_session_id"
        case createdAt = "created_at"
        case expiresAt = "expires_at"
        case usedAt = "used_at"
        case sessionID = "session_id"
    }

    /// A new, unused code's record.
    public init(
        hash: Data, clientID: String, redirectURI: String, codeChallenge: String, nonce: String?, scope: String, browserSessionID: String,
        createdAt: Int64, expiresAt: Int64
    ) {
        self.hash = hash
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.scope = scope
        self.browserSessionID = browserSessionID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// The granted scopes as a list.
    public var scopes: [String] { scope.split(separator: " ").map(String.init) }
}

/// The outcome of exchanging an authorization code.
public enum CodeRedemption: Sendable {
    /// The code was unused: it is now used, and `session` was started with the refresh token given.
    case redeemed(session: SessionRecord, refreshExpiresAt: Date)
    /// The code had been exchanged before: the session that exchange started is now revoked.
    case replayed
    /// No such code, or it expired.
    case unknown
}
