public import Foundation

/// Every row a store holds — hashes only, as stored — for moving a host from one store to another
/// (`pamtokend --migrate-store`) without logging everybody out.
public struct StoreSnapshot: Sendable, Equatable {
    /// Every session, live or not (a revoked family must stay revoked in its new home).
    public var sessions: [SessionRecord]
    /// Every refresh token's row.
    public var refreshTokens: [RefreshTokenRecord]
    /// The browser sessions' cookie hashes.
    public var browserCookies: [BrowserCookieRecord]
    /// Authorization codes still kept.
    public var codes: [AuthorizationCodeRecord]

    /// A snapshot of these rows.
    public init(
        sessions: [SessionRecord], refreshTokens: [RefreshTokenRecord], browserCookies: [BrowserCookieRecord], codes: [AuthorizationCodeRecord]
    ) {
        self.sessions = sessions
        self.refreshTokens = refreshTokens
        self.browserCookies = browserCookies
        self.codes = codes
    }
}

/// A row of `browser_cookies`: the hash of a single-sign-on cookie and its session.
public struct BrowserCookieRecord: Sendable, Hashable {
    /// SHA-256 of the cookie's value.
    public var hash: Data
    /// The browser session.
    public var sessionID: String

    /// A row with both columns given.
    public init(hash: Data, sessionID: String) {
        self.hash = hash
        self.sessionID = sessionID
    }
}

/// What ``SessionStorage/restore(_:)`` added: rows already there (same id or hash) are kept as they are.
public struct RestoreReport: Sendable, Equatable {
    /// Sessions added, and those already there.
    public var sessionsAdded: Int
    public var sessionsPresent: Int
    /// Refresh tokens, browser cookies and codes added.
    public var refreshTokensAdded: Int
    public var browserCookiesAdded: Int
    public var codesAdded: Int

    /// A report of these counts.
    public init(sessionsAdded: Int, sessionsPresent: Int, refreshTokensAdded: Int, browserCookiesAdded: Int, codesAdded: Int) {
        self.sessionsAdded = sessionsAdded
        self.sessionsPresent = sessionsPresent
        self.refreshTokensAdded = refreshTokensAdded
        self.browserCookiesAdded = browserCookiesAdded
        self.codesAdded = codesAdded
    }
}
