import NIOPosix
public import TokenCore

#if canImport(Glibc)
import Glibc
#endif

/// The system user database (`/etc/passwd`, `/etc/group`, or whatever NSS is configured to use).
///
/// A protocol so HTTP tests can run with a fake, as swiftly hides its OS behind a `Platform` protocol.
/// Asynchronous because a lookup may block: NSS reads files, or asks SSSD or LDAP over the network.
public protocol UserDirectory: Sendable {
    /// The user's identity, or nil when the name does not resolve.
    func user(named name: String) async -> UserIdentity?
    /// The user with this uid, or nil.
    func user(uid: UInt32) async -> UserIdentity?
    /// Whether `uid` is a member (primary or supplementary) of the group called `group`.
    func isMember(uid: UInt32, ofGroup group: String) async -> Bool
}

/// `getpwnam_r`/`getpwuid_r` and `getgrouplist`: thread-safe, reentrant, and NSS-aware, so LDAP and
/// SSSD users resolve like local ones. The calls block, so they run on NIO's blocking-I/O thread pool:
/// requests run on the event loops (`EventLoopTaskExecutor`), which a slow directory must not stall.
public struct SystemUserDirectory: UserDirectory {
    public init() {}

    public func user(named name: String) async -> UserIdentity? {
        guard !name.isEmpty, !name.utf8.contains(0) else { return nil }
        return await Self.blocking { Self.withPasswd({ getpwnam_r(name, &$0, $1, $2, &$3) }) }
    }

    public func user(uid: UInt32) async -> UserIdentity? {
        await Self.blocking { Self.withPasswd({ getpwuid_r(uid, &$0, $1, $2, &$3) }) }
    }

    public func isMember(uid: UInt32, ofGroup group: String) async -> Bool {
        guard let identity = await user(uid: uid) else { return false }
        return identity.groups.contains(group)
    }

    /// Runs a lookup on `NIOThreadPool.singleton`; nil when the pool has stopped (the process is ending).
    private static func blocking(_ lookUp: @escaping @Sendable () -> UserIdentity?) async -> UserIdentity? {
        (try? await NIOThreadPool.singleton.runIfActive(lookUp)) ?? nil
    }

    /// Runs a `getpw*_r` call with a buffer that grows on `ERANGE`, and converts the result.
    private static func withPasswd(
        _ call: (inout passwd, UnsafeMutablePointer<CChar>, Int, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> UserIdentity? {
        var size = 1024
        while size <= 1 << 20 {
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>? = nil
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let status = call(&entry, buffer, size, &result)
            if status == ERANGE {
                size *= 4
                continue
            }
            guard status == 0, result != nil, let namePointer = entry.pw_name else { return nil }
            let name = String(cString: namePointer)
            let gecos = entry.pw_gecos.map { String(cString: $0) } ?? ""
            let fullName = gecos.split(separator: ",", omittingEmptySubsequences: false).first.map(String.init) ?? ""
            return UserIdentity(
                user: name, uid: entry.pw_uid, gid: entry.pw_gid,
                groups: Self.groupNames(user: name, primary: entry.pw_gid),
                name: fullName.isEmpty ? nil : fullName)
        }
        return nil
    }

    /// Names of every group of the user, primary first, as `id -Gn` prints them.
    private static func groupNames(user: String, primary: gid_t) -> [String] {
        var count: Int32 = 32
        var gids = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(user, primary, &gids, &count) == -1 {
            guard count < 65536 else { return [] }
            gids = [gid_t](repeating: 0, count: Int(count) * 2)
            count = Int32(gids.count)
        }
        var seen = Set<String>()
        return gids.prefix(Int(count)).compactMap(groupName).filter { seen.insert($0).inserted }
    }

    private static func groupName(_ gid: gid_t) -> String? {
        var size = 1024
        while size <= 1 << 22 {
            var entry = group()
            var result: UnsafeMutablePointer<group>? = nil
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: size)
            defer { buffer.deallocate() }
            let status = getgrgid_r(gid, &entry, buffer, size, &result)
            if status == ERANGE {
                size *= 4
                continue
            }
            guard status == 0, result != nil, let name = entry.gr_name else { return String(gid) }
            return String(cString: name)
        }
        return String(gid)
    }
}
