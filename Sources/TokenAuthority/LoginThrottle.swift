public import Foundation
import Synchronization
public import TokenCore

/// Counts failed logins per user name and per peer and imposes exponential back-off (docs/api.md,
/// "Throttling").
///
/// Within `window`, the first `limit` failures of a key cost nothing extra; each further failure blocks
/// the key for 1, 2, 4 … seconds up to `maxBackoff`. While blocked, logins for that key are answered
/// 429 without calling PAM — so guessing is slow even against a PAM stack without pam_faillock, and a
/// flood of bad logins cannot occupy the PAM threads. A success clears the user's count (not the peer's:
/// one right password says nothing about the other names a peer has been trying).
///
/// An attempt is **reserved before PAM is asked** (``begin(users:peer:)``) and counts as a failure
/// until it succeeds: checking first and recording after would let a burst of concurrent guesses all
/// pass the check before the first failure is recorded. While a key's failures and reservations
/// together fill its limit, further attempts wait for one to settle; past the limit, one at a time.
///
/// User names are keyed case-folded and trimmed (`Alice`, ` alice` and `alice` share one count), and
/// callers pass every spelling they know of — typed, as the user database resolves it, as PAM settled it.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable, Hashable {
        public var userFailures: Int
        public var peerFailures: Int
        public var window: TimeInterval
        public var maxBackoff: TimeInterval

        public init(userFailures: Int = 5, peerFailures: Int = 20, window: TimeInterval = 900, maxBackoff: TimeInterval = 300) {
            self.userFailures = userFailures
            self.peerFailures = peerFailures
            self.window = window
            self.maxBackoff = maxBackoff
        }
    }

    /// What ``begin(users:peer:)`` decided.
    public enum Admission: Sendable {
        /// Go ahead, and settle the attempt when PAM has answered.
        case admitted(LoginAttempt)
        /// Refused without asking PAM; try again in this many seconds.
        case blocked(retryAfter: Int)
    }

    /// Keys kept at most by default: memory stays bounded under a flood of distinct user names.
    public static let defaultCapacity = 100_000

    public let limits: Limits
    private let clock: any WallClock
    private let table: Mutex<ThrottleTable>

    public init(limits: Limits, clock: any WallClock, capacity: Int = LoginThrottle.defaultCapacity) {
        self.limits = limits
        self.clock = clock
        self.table = Mutex(ThrottleTable(capacity: capacity))
    }

    /// Reserves a login attempt for these spellings of a user name from `peer`, or says how long to wait.
    public func begin(users: [String], peer: String) -> Admission {
        begin(keys: keyLimits(users: users, peer: peer))
    }

    /// Reserves an authentication attempt of a registered client (its secret) from `peer`. Clients are
    /// counted apart from users: no typed user name reaches a client's count, nor the other way round.
    public func begin(client: String, peer: String) -> Admission {
        begin(keys: [("client:" + client, limits.userFailures), ("peer:" + peer, limits.peerFailures)])
    }

    private func begin(keys: [(key: String, limit: Int)]) -> Admission {
        let now = clock.now
        return table.withLock { table -> Admission in
            var wait: TimeInterval = 0
            for (key, limit) in keys {
                guard var entry = table[key] else { continue }
                restartWindowIfOver(&entry, now: now)
                if entry.isBlocking(at: now) {
                    wait = max(wait, entry.blockedUntil.timeIntervalSince(now))
                } else if entry.inFlight > 0, entry.failures + entry.inFlight >= limit {
                    wait = max(wait, 1)
                }
            }
            if wait > 0 { return .blocked(retryAfter: max(1, Int(wait.rounded(.up)))) }
            for (key, _) in keys {
                table.update(key, now: now) { entry in
                    restartWindowIfOver(&entry, now: now)
                    entry.inFlight += 1
                }
            }
            return .admitted(LoginAttempt(throttle: self, keys: keys.map(\.key)))
        }
    }

    /// Seconds until a login for `user` from `peer` may be attempted, or nil when it may now.
    public func retryAfter(user: String, peer: String) -> Int? {
        switch begin(users: [user], peer: peer) {
        case .blocked(let wait): return wait
        case .admitted(let attempt):
            attempt.abandon()
            return nil
        }
    }

    /// Records a failed login that was not reserved first (tests, and callers without PAM).
    public func recordFailure(user: String, peer: String) {
        let now = clock.now
        table.withLock { table in
            for (key, limit) in keyLimits(users: [user], peer: peer) {
                table.update(key, now: now) { bump(&$0, limit: limit, now: now) }
            }
        }
    }

    /// Records a successful login: the user's failures are forgiven.
    public func recordSuccess(user: String) {
        table.withLock { $0.remove(Self.userKey(user)) }
    }

    /// Entries held now (for tests of the bound).
    public var count: Int { table.withLock { $0.count } }

    /// Records in the table's eviction queue, stale ones included (for tests of the bound).
    public var queueLength: Int { table.withLock { $0.queueLength } }

    // MARK: Settling attempts (called by LoginAttempt)

    /// Releases the reservations of `reserved` and counts the outcome, also under the spellings of the
    /// name that PAM settled on (`learned`), which were not reserved because they were not known yet.
    func settle(reserved: [String], outcome: LoginAttempt.Outcome, learned: [String]) {
        let now = clock.now
        let learnedKeys = learned.map(Self.userKey).filter { !reserved.contains($0) }
        table.withLock { table in
            for key in reserved {
                if outcome == .failed {
                    table.update(key, now: now) { entry in
                        entry.inFlight = max(0, entry.inFlight - 1)
                        bump(&entry, limit: limit(of: key), now: now)
                    }
                    continue
                }
                guard var entry = table[key] else { continue }
                entry.inFlight = max(0, entry.inFlight - 1)
                if outcome == .succeeded, Self.isUserKey(key) {
                    entry.failures = 0
                    entry.blockedUntil = .distantPast
                }
                store(entry, key: key, in: &table, now: now)
            }
            for key in Set(learnedKeys) {
                switch outcome {
                case .failed: table.update(key, now: now) { bump(&$0, limit: limits.userFailures, now: now) }
                case .succeeded: table.remove(key)
                case .abandoned: break
                }
            }
        }
    }

    /// Writes an entry back, or forgets it when it holds nothing worth remembering.
    private func store(_ entry: ThrottleTable.Entry, key: String, in table: inout ThrottleTable, now: Date) {
        if entry.failures == 0 && entry.inFlight == 0 && !entry.isBlocking(at: now) {
            table.remove(key)
        } else {
            table.update(key, now: now) { $0 = entry }
        }
    }

    // MARK: Counting

    private func bump(_ entry: inout ThrottleTable.Entry, limit: Int, now: Date) {
        restartWindowIfOver(&entry, now: now)
        entry.failures += 1
        if entry.failures >= limit {
            let exponent = min(entry.failures - limit, 30)
            entry.blockedUntil = now.addingTimeInterval(min(limits.maxBackoff, pow(2, Double(exponent))))
        }
    }

    private func restartWindowIfOver(_ entry: inout ThrottleTable.Entry, now: Date) {
        if now.timeIntervalSince(entry.windowStart) >= limits.window, !entry.isBlocking(at: now) {
            entry.failures = 0
            entry.windowStart = now
        }
    }

    private func keyLimits(users: [String], peer: String) -> [(key: String, limit: Int)] {
        var keys: [(key: String, limit: Int)] = []
        for user in users {
            let key = Self.userKey(user)
            if !keys.contains(where: { $0.key == key }) { keys.append((key, limits.userFailures)) }
        }
        keys.append(("peer:" + peer, limits.peerFailures))
        return keys
    }

    private func limit(of key: String) -> Int { Self.isUserKey(key) ? limits.userFailures : limits.peerFailures }

    private static func isUserKey(_ key: String) -> Bool { key.hasPrefix("user:") || key.hasPrefix("client:") }

    /// One count per person, however the name is typed: trimmed of white space and case-folded (PAM
    /// modules and NSS back ends such as SSSD and winbind commonly match names case-insensitively).
    static func userKey(_ user: String) -> String {
        "user:" + user.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().prefix(256)
    }
}
