import Synchronization
import Testing
import TokenAuthority
import TokenCore

/// Name lookups are reused for a few seconds; misses and other lookups always reach the system.
@Suite("User lookups: the short cache in front of NSS")
struct CachingUserDirectoryTests {
    /// Counts the lookups that reach it.
    final class CountingDirectory: UserDirectory {
        let base: FakeUserDirectory
        private let count = Mutex(0)
        var lookups: Int { count.withLock { $0 } }

        init(_ users: [UserIdentity]) { base = FakeUserDirectory(users) }

        func user(named name: String) async -> UserIdentity? {
            count.withLock { $0 += 1 }
            return await base.user(named: name)
        }
        func user(uid: UInt32) async -> UserIdentity? { await base.user(uid: uid) }
        func isMember(uid: UInt32, ofGroup group: String) async -> Bool { await base.isMember(uid: uid, ofGroup: group) }
    }

    static let alice = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice", "developers"], name: nil)

    @Test("a found user is looked up once within the lifetime")
    func reuses() async {
        let system = CountingDirectory([Self.alice])
        let users = CachingUserDirectory(system, lifetime: .seconds(60))
        #expect(await users.user(named: "alice")?.groups == ["alice", "developers"])
        system.base.set(UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice"], name: nil), for: "alice")
        #expect(await users.user(named: "alice")?.groups == ["alice", "developers"])
        #expect(system.lookups == 1)
    }

    @Test("after the lifetime the system is asked again and a change shows")
    func expires() async {
        let system = CountingDirectory([Self.alice])
        let users = CachingUserDirectory(system, lifetime: .zero)
        _ = await users.user(named: "alice")
        system.base.set(UserIdentity?.none, for: "alice")
        #expect(await users.user(named: "alice") == nil)
        #expect(system.lookups == 2)
    }

    @Test("a user not found is not remembered: one created a moment later resolves at once")
    func missesAreNotCached() async {
        let system = CountingDirectory([])
        let users = CachingUserDirectory(system, lifetime: .seconds(60))
        #expect(await users.user(named: "bob") == nil)
        system.base.set(UserIdentity(user: "bob", uid: 1001, gid: 1001, groups: ["bob"], name: nil), for: "bob")
        #expect(await users.user(named: "bob")?.uid == 1001)
    }
}
