/// `GET /userinfo`: who the access token is for.
public struct UserInfo: Codable, Sendable, Equatable {
    public var sub: String
    public var uid: UInt32
    public var gid: UInt32
    public var groups: [String]
    public var name: String?

    public init(sub: String, uid: UInt32, gid: UInt32, groups: [String], name: String?) {
        self.sub = sub
        self.uid = uid
        self.gid = gid
        self.groups = groups
        self.name = name
    }
}
