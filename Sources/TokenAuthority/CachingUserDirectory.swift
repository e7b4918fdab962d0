import Synchronization
public import TokenCore

/// Remembers name lookups for a few seconds, as nscd and SSSD do for the whole system.
///
/// Every refresh resolves its user (uid check, groups for the token): `getpwnam_r`, `getgrouplist`
/// and one `getgrgid_r` per group, each opening and parsing `/etc/passwd` or `/etc/group` again
/// with the `files` back end. Under load that was a fifth of a refresh's CPU
/// (docs/BENCHMARKS.md, "Where a refresh's CPU goes"). Answers are kept for ``lifetime`` (5 s by
/// default, far below nscd's 600 s for passwd), so a changed group or a deleted user shows within
/// seconds; PAM's account check still runs on every refresh. Only found users are kept: a user
/// just created resolves at once. Lookups by uid and group checks (admin routes) are not cached.
public final class CachingUserDirectory: UserDirectory {
    private struct Entry {
        var identity: UserIdentity
        var expires: ContinuousClock.Instant
    }

    private let base: any UserDirectory
    /// How long an answer is reused.
    public let lifetime: Duration
    /// The most names remembered; when full, the cache starts again empty.
    public let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])

    public init(_ base: any UserDirectory, lifetime: Duration = .seconds(5), capacity: Int = 4096) {
        self.base = base
        self.lifetime = lifetime
        self.capacity = capacity
    }

    public func user(named name: String) async -> UserIdentity? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[name] }), now < entry.expires { return entry.identity }
        guard let identity = await base.user(named: name) else {
            entries.withLock { _ = $0.removeValue(forKey: name) }
            return nil
        }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[name] = Entry(identity: identity, expires: now + lifetime)
        }
        return identity
    }

    public func user(uid: UInt32) async -> UserIdentity? { await base.user(uid: uid) }

    public func isMember(uid: UInt32, ofGroup group: String) async -> Bool { await base.isMember(uid: uid, ofGroup: group) }
}
