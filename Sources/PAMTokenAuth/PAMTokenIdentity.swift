public import Foundation

/// The Linux user behind a verified pamtoken access token.
public struct PAMTokenIdentity: Sendable, Hashable {
    /// The user name (`sub`).
    public var user: String
    /// The numeric user id (`uid` claim): the one the user's files and processes carry on the daemon's host.
    public var uid: UInt32
    /// The primary group id (`gid` claim).
    public var gid: UInt32
    /// Group names, the primary group included, as of the token's issue (at most one access-token
    /// lifetime old).
    public var groups: [String]
    /// The GECOS full name, when the account has one.
    public var name: String?
    /// The session (`sid`): revoking it on the daemon ends the tokens of this login.
    public var sessionID: String
    /// How the user authenticated: `["pwd"]` (password through PAM) or `["peercred"]`.
    public var authMethods: [String]
    /// When the token stops being valid.
    public var expiresAt: Date

    /// Whether the user is in `group` (by name).
    public func isMember(of group: String) -> Bool { groups.contains(group) }
}
