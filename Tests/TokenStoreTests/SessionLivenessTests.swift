import Foundation
import Synchronization
import TestSupport
import Testing
import TokenCore

@testable import TokenStore

/// Bearer requests ask whether a session is active; the SQLite store answers from memory when it can
/// (`SessionLiveness`). Each way a session ends must be seen at once, after a check that remembered it.
@Suite("Session liveness: remembered answers end with the session")
struct SessionLivenessTests {
    @Test("every revocation is seen by the next check, after a check that was remembered", arguments: StoreBackend.available)
    func revocations(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let store = fixture.store

        let (byID, _) = try await fixture.login("alice")
        #expect(try await store.isSessionActive(id: byID.id))
        #expect(try await store.isSessionActive(id: byID.id))
        try await store.revokeSession(id: byID.id, reason: "admin")
        #expect(try await !store.isSessionActive(id: byID.id))

        let (byToken, token) = try await fixture.login("alice")
        #expect(try await store.isSessionActive(id: byToken.id))
        try await store.revokeSession(containing: token, reason: "rfc7009")
        #expect(try await !store.isSessionActive(id: byToken.id))

        let (byUser, _) = try await fixture.login("carol", uid: 1002)
        #expect(try await store.isSessionActive(id: byUser.id))
        #expect(try await store.revokeSessions(user: "carol", reason: "admin") == 1)
        #expect(try await !store.isSessionActive(id: byUser.id))

        // Reuse of a rotated-away token revokes the family.
        let (reused, first) = try await fixture.login("dave", uid: 1003)
        #expect(try await fixture.rotate(first).0.succeeded)
        #expect(try await store.isSessionActive(id: reused.id))
        #expect(try await fixture.rotate(first).0.rejection == .reuseDetected(sessionID: reused.id, user: "dave"))
        #expect(try await !store.isSessionActive(id: reused.id))
    }

    @Test("a remembered session stops being active when its idle time or its lifetime runs out", arguments: StoreBackend.available)
    func expiry(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, _) = try await fixture.login("alice")
        #expect(try await fixture.store.isSessionActive(id: session.id))
        fixture.clock.advance(by: StoreFixture.refreshTTL + 1)
        #expect(try await !fixture.store.isSessionActive(id: session.id))
    }

    @Test("rotations keep the remembered answers; a revocation empties them")
    func rotationsDoNotInvalidate() async throws {
        let fixture = try StoreFixture()
        defer { fixture.cleanUp() }
        let store = try #require(fixture.sqlite)
        let (alice, token) = try await fixture.login("alice")
        let (bob, _) = try await fixture.login("bob", uid: 1001)
        #expect(try await store.isSessionActive(id: alice.id))
        #expect(try await store.isSessionActive(id: bob.id))
        let now = Int64(fixture.clock.now.timeIntervalSince1970)

        #expect(try await fixture.rotate(token).0.succeeded)
        #expect(store.liveness.isKnownActive(alice.id, now: now))

        try await store.revokeSession(id: bob.id, reason: "admin")
        #expect(!store.liveness.isKnownActive(alice.id, now: now))
        #expect(try await !store.isSessionActive(id: bob.id))
        #expect(try await store.isSessionActive(id: alice.id))
    }

    @Test("checks racing a revocation: none after the revocation returns says active", arguments: StoreBackend.available)
    func raceWithRevocation(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, _) = try await fixture.login("alice")
        let revoked = RevokedFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<200 {
                        let wasRevoked = revoked.isSet
                        let active = try await fixture.store.isSessionActive(id: session.id)
                        #expect(!(wasRevoked && active), "a check begun after the revocation returned said active")
                    }
                }
            }
            group.addTask {
                await Task.yield()
                try await fixture.store.revokeSession(id: session.id, reason: "admin")
                revoked.set()
            }
            try await group.waitForAll()
        }
        #expect(try await !fixture.store.isSessionActive(id: session.id))
    }
}

/// Set once, read from many tasks.
private final class RevokedFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
