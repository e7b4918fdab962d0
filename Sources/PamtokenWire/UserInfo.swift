/// `GET /userinfo`: who the access token is for (OpenID Connect Core §5.3). Tokens of a registered
/// client carry the members their scope allows (`profile`: `preferred_username`, `name`; `groups`;
/// `posix`: `uid`, `gid`); tokens of the password and peercred grants carry all of them.
public struct UserInfo: Codable, Sendable, Equatable {
    /// The user name (`sub`).
    public var sub: String
    /// The user name again, under the name OpenID Connect clients read.
    public var preferredUsername: String?
    /// The numeric user id.
    public var uid: UInt32?
    /// The primary group id.
    public var gid: UInt32?
    /// Group names, the primary group first.
    public var groups: [String]?
    /// The GECOS full name, when the account has one.
    public var name: String?

    /// A value with every member given, as the daemon builds it.
    public init(sub: String, preferredUsername: String? = nil, uid: UInt32?, gid: UInt32?, groups: [String]?, name: String?) {
        self.sub = sub
        self.preferredUsername = preferredUsername
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.name = name
    }

    enum CodingKeys: String, CodingKey {
        case sub, uid, gid, groups, name
        case preferredUsername = "preferred_username"
    }
}
