public import Foundation

/// A Linux user as the system user database describes them at login or refresh time.
public struct UserIdentity: Sendable, Hashable, Codable {
    public var user: String
    public var uid: UInt32
    public var gid: UInt32
    /// Group names, the primary group included.
    public var groups: [String]
    /// The GECOS full name (first comma-separated field), if any.
    public var name: String?

    public init(user: String, uid: UInt32, gid: UInt32, groups: [String], name: String?) {
        self.user = user
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.name = name
    }
}

/// What the session contributes to an access token.
public struct SessionContext: Sendable, Hashable {
    public var sessionID: String
    public var authTime: Date
    public var authMethod: AuthMethod
    public var clientID: String
    public var scope: String?

    public init(sessionID: String, authTime: Date, authMethod: AuthMethod, clientID: String, scope: String?) {
        self.sessionID = sessionID
        self.authTime = authTime
        self.authMethod = authMethod
        self.clientID = clientID
        self.scope = scope
    }
}
