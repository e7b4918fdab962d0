/// `GET /userinfo`: who the access token is for.
public struct UserInfo: Codable, Sendable, Equatable {
    /// The user name (`sub`).
    public var sub: String
    /// The numeric user id.
    public var uid: UInt32
    /// The primary group id.
    public var gid: UInt32
    /// Group names, the primary group first.
    public var groups: [String]
    /// The GECOS full name, when the account has one.
    public var name: String?

    /// A value with every member given, as the daemon builds it.
    public init(sub: String, uid: UInt32, gid: UInt32, groups: [String], name: String?) {
        self.sub = sub
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.name = name
    }
}
