public import Foundation

/// The rules tokens are issued and checked by. Defaults are the contract's (docs/configuration.md).
public struct TokenPolicy: Sendable, Hashable {
    /// `iss` of every token, and the base of the discovery documents.
    public var issuer: String
    /// `aud` of every token; a token is accepted when it names any of them.
    public var audiences: [String]
    /// Access-token lifetime (default 300 s).
    public var accessTTL: TimeInterval
    /// Refresh-token idle lifetime: each rotation restarts it (default 7 days).
    public var refreshTTL: TimeInterval
    /// Absolute session lifetime from login (default 30 days).
    public var sessionMaxAge: TimeInterval
    /// How long a repeat of an already rotated refresh token is treated as a retry rather than theft
    /// (default 0: every reuse revokes the session).
    public var reuseGrace: TimeInterval
    /// Clock skew tolerated for `nbf`/`iat` (not for `exp`).
    public var leeway: TimeInterval

    public init(
        issuer: String = "http://localhost", audiences: [String] = ["pamtoken"],
        accessTTL: TimeInterval = 300, refreshTTL: TimeInterval = 7 * 86400, sessionMaxAge: TimeInterval = 30 * 86400,
        reuseGrace: TimeInterval = 0, leeway: TimeInterval = 5
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.sessionMaxAge = sessionMaxAge
        self.reuseGrace = reuseGrace
        self.leeway = leeway
    }

    /// How long a retired signing key must stay published: the longest an access token it signed can live.
    public var keyRetention: TimeInterval { accessTTL + leeway + 60 }
}
