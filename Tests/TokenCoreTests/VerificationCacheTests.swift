import Foundation
import TestSupport
import Testing
import TokenCore

/// The verified-signature cache the daemon uses for introspection, `/userinfo` and `/auth`: it may skip
/// the signature check, never a rule that depends on time or on the published keys.
@Suite("Verification cache")
struct VerificationCacheTests {
    @Test("a token verified once is remembered, and the cached answer equals the uncached one")
    func remembers() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let cache = VerificationCache()
        let cached = TokenVerifier(policy: fixture.policy, keyRing: fixture.keyRing, clock: fixture.clock, cache: cache)
        let token = try await fixture.issue().token

        let first = try await cached.verify(token)
        let second = try await cached.verify(token)
        #expect(cache.count == 1)
        #expect(first == second)
        #expect(try await fixture.verifier.verify(token) == second)
    }

    @Test("expiry is checked on every hit, not remembered")
    func expiryStillChecked() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let cached = TokenVerifier(policy: fixture.policy, keyRing: fixture.keyRing, clock: fixture.clock, cache: VerificationCache())
        let token = try await fixture.issue().token
        let claims = try await cached.verify(token)

        fixture.clock.advance(by: fixture.policy.accessTTL + 1)
        await #expect(throws: TokenError.expired) { try await cached.verify(token) }
        #expect(try await cached.verify(token, acceptingExpired: true) == claims)
    }

    @Test("a token whose key was rotated out and pruned is refused even though it was cached")
    func prunedKey() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let cached = TokenVerifier(policy: fixture.policy, keyRing: fixture.keyRing, clock: fixture.clock, cache: VerificationCache())
        let token = try await fixture.issue().token
        _ = try await cached.verify(token)

        try await fixture.keyRing.rotate()
        fixture.clock.advance(by: fixture.policy.keyRetention + 1)
        _ = try await fixture.keyRing.prune(retention: fixture.policy.keyRetention)
        await #expect(throws: TokenError.unknownKey) { try await cached.verify(token, acceptingExpired: true) }
    }

    @Test("a tampered token is not served from the cache entry of the original")
    func tamperedMisses() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let cache = VerificationCache()
        let cached = TokenVerifier(policy: fixture.policy, keyRing: fixture.keyRing, clock: fixture.clock, cache: cache)
        let token = try await fixture.issue().token
        _ = try await cached.verify(token)

        let tampered = ForgedToken.tamper(token, payload: ["sub": "root"])
        await #expect(throws: TokenError.badSignature) { try await cached.verify(tampered) }
        #expect(cache.count == 1, "only tokens with a valid signature are stored")
    }

    @Test("the cache stays within its capacity")
    func bounded() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let cache = VerificationCache(capacity: 8)
        let cached = TokenVerifier(policy: fixture.policy, keyRing: fixture.keyRing, clock: fixture.clock, cache: cache)
        for _ in 0..<20 { _ = try await cached.verify(try await fixture.issue().token) }
        #expect(cache.count <= 8)
    }
}
