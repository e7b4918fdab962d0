import Logging
import TokenStore
import JWTKit
import Hummingbird
import HTTPTypes
import NIOCore
public import Foundation
import Synchronization
public import TokenCore

/// Counts failed logins per user name and per peer and imposes exponential back-off (CONTRACT §4).
///
/// Within `window`, the first `limit` failures of a key cost nothing extra; each further failure blocks
/// the key for 1, 2, 4 … seconds up to `maxBackoff`. While blocked, logins for that key are answered
/// 429 without calling PAM — so guessing is slow even against a PAM stack without pam_faillock, and a
/// flood of bad logins cannot occupy the PAM threads. A success clears the user's count (not the peer's:
/// one right password says nothing about the other names a peer has been trying).
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

    private struct Entry {
        var failures: Int
        var windowStart: Date
        var blockedUntil: Date
    }

    /// Keys kept at most; beyond it, entries whose window has passed are dropped first. Bounds memory
    /// under a flood of distinct user names.
    private static let capacity = 100_000

    public let limits: Limits
    private let clock: any WallClock
    private let entries = Mutex<[String: Entry]>([:])

    public init(limits: Limits, clock: any WallClock) {
        self.limits = limits
        self.clock = clock
    }

    /// Seconds until a login for `user` from `peer` may be attempted, or nil when it may now.
    public func retryAfter(user: String, peer: String) -> Int? {
        let now = clock.now
        return entries.withLock { entries in
            let waits = [Self.userKey(user), Self.peerKey(peer)].compactMap { key -> TimeInterval? in
                guard let entry = entries[key], entry.blockedUntil > now else { return nil }
                return entry.blockedUntil.timeIntervalSince(now)
            }
            return waits.max().map { Int($0.rounded(.up)) }
        }
    }

    /// Records a failed login.
    public func recordFailure(user: String, peer: String) {
        let now = clock.now
        entries.withLock { entries in
            if entries.count >= Self.capacity {
                entries = entries.filter { now.timeIntervalSince($0.value.windowStart) < limits.window || $0.value.blockedUntil > now }
            }
            bump(&entries, Self.userKey(user), limit: limits.userFailures, now: now)
            bump(&entries, Self.peerKey(peer), limit: limits.peerFailures, now: now)
        }
    }

    /// Records a successful login: the user's failures are forgiven.
    public func recordSuccess(user: String) {
        _ = entries.withLock { $0.removeValue(forKey: Self.userKey(user)) }
    }

    private func bump(_ entries: inout [String: Entry], _ key: String, limit: Int, now: Date) {
        var entry = entries[key] ?? Entry(failures: 0, windowStart: now, blockedUntil: .distantPast)
        if now.timeIntervalSince(entry.windowStart) >= limits.window, entry.blockedUntil <= now {
            entry = Entry(failures: 0, windowStart: now, blockedUntil: .distantPast)
        }
        entry.failures += 1
        if entry.failures >= limit {
            let exponent = min(entry.failures - limit, 30)
            entry.blockedUntil = now.addingTimeInterval(min(limits.maxBackoff, pow(2, Double(exponent))))
        }
        entries[key] = entry
    }

    private static func userKey(_ user: String) -> String { "user:" + user.prefix(256) }
    private static func peerKey(_ peer: String) -> String { "peer:" + peer }
}
