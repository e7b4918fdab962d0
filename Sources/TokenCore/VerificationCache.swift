import Crypto
import Foundation
import JWTKit
import Synchronization

/// Remembers access tokens whose signature has been checked, so that a relying party that presents the
/// same token on every call (introspection, `/userinfo`, `/auth`) pays for one ECDSA verification per
/// token rather than one per request (an ES256 verify is most of such a request's CPU).
///
/// Only the expensive, time-independent part is remembered: that these exact bytes parse and carry a
/// valid signature by key `kid`. ``TokenVerifier`` still checks, on every hit, that the algorithm is
/// the configured one, that `kid` is still published (a pruned key invalidates its tokens at once),
/// and `iss`, `aud`, `nbf` and `exp` against the clock. Entries are keyed by the SHA-256 of the token,
/// so the cache holds no bearer credential; only tokens with a valid signature — ones we issued — are
/// ever stored, so it cannot be filled by an attacker, and it is bounded all the same.
public final class VerificationCache: Sendable {
    struct Entry: Sendable {
        var claims: AccessTokenClaims
        var algorithm: String
        var kid: String
    }

    /// The SHA-256 of a token, as four words: hashed and compared without a heap allocation.
    struct Key: Hashable, Sendable {
        var words: (UInt64, UInt64, UInt64, UInt64)

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }
    }

    /// The most entries kept; beyond it, expired entries go first, then arbitrary ones.
    public let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    static func key(_ token: some StringProtocol) -> Key {
        var hasher = SHA256()
        var token = String(token)
        token.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { bytes in
            Key(
                words: (
                    bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                    bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                ))
        }
    }

    /// The remembered claims for `key`, if they were verified with the algorithm `keys` allow and a
    /// key `keys` still publish; time-dependent rules are the caller's.
    func claims(for key: Key, under keys: VerificationKeys) -> AccessTokenClaims? {
        guard let entry = entries.withLock({ $0[key] }),
            entry.algorithm == keys.algorithm.rawValue, keys.kids.contains(entry.kid)
        else { return nil }
        return entry.claims
    }

    /// Remembers `entry`. When full, expired entries go, and if that is not enough, arbitrary ones down
    /// to three quarters of the capacity: the full pass then runs at most once per `capacity / 4`
    /// insertions, not on every miss of a busy cache.
    func store(_ entry: Entry, for key: Key, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.claims.exp.value > now }
                let target = capacity * 3 / 4
                if entries.count > target {
                    let victims = Array(entries.keys.prefix(entries.count - target))
                    for victim in victims { entries[victim] = nil }
                }
            }
            entries[key] = entry
        }
    }

    /// How many tokens are remembered (for tests and metrics).
    public var count: Int { entries.withLock { $0.count } }
}
