import Foundation
import TestSupport
import Testing
import TokenCore
import TokenStore

/// `pamtokend --migrate-store`: a SQLite store copied into another store keeps every promise — live
/// tokens rotate, used ones are still reuse, revoked sessions stay revoked, cookies still sign in.
@Suite("Copying a store (--migrate-store)")
struct StoreCopyTests {
    @Test("a SQLite store copied into another: everything works there as it did, and a second copy adds nothing", arguments: StoreBackend.available)
    func copy(target backend: StoreBackend) async throws {
        let source = try StoreFixture()
        defer { source.cleanUp() }
        let target = try await StoreFixture(backend)
        defer { target.cleanUp() }
        try await copy(from: source, to: target)
    }

    @Test(
        "a PostgreSQL store copied into SQLite, as when a host leaves the fleet: the same promises hold",
        .enabled(if: StoreBackend.postgresURL != nil))
    func copyBack() async throws {
        let source = try await StoreFixture(.postgres)
        defer { source.cleanUp() }
        let target = try StoreFixture()
        defer { target.cleanUp() }
        try await copy(from: source, to: target)
    }

    private func copy(from source: StoreFixture, to target: StoreFixture) async throws {
        let (session, first) = try await source.login()
        let (rotated, live) = try await source.rotate(first)
        #expect(rotated.succeeded)
        let (revoked, revokedToken) = try await source.login("bob", uid: 1001)
        try await source.store.revokeSession(id: revoked.id, reason: "logout")
        let (browser, cookie) = try await source.browserSession()

        target.clock.advance(by: source.clock.now.timeIntervalSince(target.clock.now))
        let snapshot = try await source.store.snapshot()
        #expect(snapshot.sessions.count == 3 && snapshot.refreshTokens.count == 3 && snapshot.browserCookies.count == 1)
        let report = try await target.store.restore(snapshot)
        #expect(report == RestoreReport(sessionsAdded: 3, sessionsPresent: 0, refreshTokensAdded: 3, browserCookiesAdded: 1, codesAdded: 0))
        let again = try await target.store.restore(snapshot)
        #expect(again == RestoreReport(sessionsAdded: 0, sessionsPresent: 3, refreshTokensAdded: 0, browserCookiesAdded: 0, codesAdded: 0))

        #expect(try await target.store.session(id: session.id) == source.store.session(id: session.id))
        #expect(try await target.store.browserSession(cookie: cookie)?.id == browser.id)
        #expect(try await target.rotate(live).0.succeeded, "the live token rotates in its new home")
        #expect(try await target.rotate(revokedToken).0.rejection == .sessionRevoked)
        #expect(try await target.rotate(first).0.rejection == .reuseDetected(sessionID: session.id, user: "alice"), "a used token is still reuse")
    }
}
