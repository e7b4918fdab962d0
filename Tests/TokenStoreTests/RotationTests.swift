import Foundation
import TestSupport
import Testing
import TokenCore
import TokenStore

@Suite("Refresh-token rotation (docs/api.md#refresh-token-grant)")
struct RotationTests {
    @Test("each rotation marks the parent used and issues a working child", arguments: StoreBackend.available)
    func chain(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, first) = try await fixture.login()
        var current = first
        for step in 1...5 {
            fixture.clock.advance(by: 60)
            let (result, next) = try await fixture.rotate(current)
            guard case .rotated(let updated, let expiry) = result else {
                Issue.record("step \(step): \(result)")
                return
            }
            #expect(updated.id == session.id)
            #expect(updated.lastUsedAt == Int64(fixture.clock.now.timeIntervalSince1970))
            #expect(expiry == fixture.clock.now.addingTimeInterval(StoreFixture.refreshTTL))
            current = next
        }
        #expect(try await fixture.store.isSessionActive(id: session.id))
    }

    @Test("presenting a used token revokes the whole family, the newest token included", arguments: StoreBackend.available)
    func reuseDetection(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, first) = try await fixture.login()
        let (_, second) = try await fixture.rotate(first)
        let (_, third) = try await fixture.rotate(second)

        let (replay, _) = try await fixture.rotate(first)
        #expect(replay.rejection == .reuseDetected(sessionID: session.id, user: "alice"))
        #expect(try await !fixture.store.isSessionActive(id: session.id))
        let (newest, _) = try await fixture.rotate(third)
        #expect(newest.rejection == .sessionRevoked)
        #expect(try await fixture.store.session(id: session.id)?.revokeReason == "refresh token reuse")
    }

    @Test(
        "with grace, a retry of the same parent within the window gets a fresh pair and kills the undelivered child",
        arguments: StoreBackend.available)
    func graceRetry(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, first) = try await fixture.login()
        let (_, lost) = try await fixture.rotate(first, grace: 10)
        fixture.clock.advance(by: 5)
        let (retry, replacement) = try await fixture.rotate(first, grace: 10)
        guard case .retried = retry else {
            Issue.record("expected a retry, got \(retry)")
            return
        }
        // The replacement works; the session lives.
        let (next, _) = try await fixture.rotate(replacement, grace: 10)
        #expect(next.succeeded)
        #expect(try await fixture.store.isSessionActive(id: session.id))
        // The child that was never delivered is dead, and showing it up is treated as theft.
        let (abandoned, _) = try await fixture.rotate(lost, grace: 10)
        #expect(abandoned.rejection == .reuseDetected(sessionID: session.id, user: "alice"))
    }

    @Test("grace does not cover a repeat after the window, nor one whose child was already used", arguments: StoreBackend.available)
    func graceLimits(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (_, first) = try await fixture.login()
        _ = try await fixture.rotate(first, grace: 10)
        fixture.clock.advance(by: 11)
        #expect(try await fixture.rotate(first, grace: 10).0.rejection?.isReuse == true)

        let (_, a) = try await fixture.login()
        let (_, b) = try await fixture.rotate(a, grace: 10)
        _ = try await fixture.rotate(b, grace: 10)
        #expect(try await fixture.rotate(a, grace: 10).0.rejection?.isReuse == true)
    }

    @Test("100 concurrent rotations of one token: exactly one succeeds", arguments: StoreBackend.available)
    func concurrentRotations(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, token) = try await fixture.login()
        let results = try await withThrowingTaskGroup(of: RotationResult.self) { group in
            for _ in 0..<100 {
                group.addTask { try await fixture.rotate(token).0 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter(\.succeeded).count == 1)
        // The 99 losers presented a used token: reuse detection revoked the family.
        #expect(results.filter { $0.rejection?.isReuse == true }.count + results.filter { $0.rejection == .sessionRevoked }.count == 99)
        #expect(try await !fixture.store.isSessionActive(id: session.id))
    }

    @Test(
        "100 concurrent rotations with grace: exactly one rotates, the rest are retries or refused, never two rotations",
        arguments: StoreBackend.available)
    func concurrentRotationsWithGrace(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (_, token) = try await fixture.login()
        let results = try await withThrowingTaskGroup(of: RotationResult.self) { group in
            for _ in 0..<100 {
                group.addTask { try await fixture.rotate(token, grace: 30).0 }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let rotated = results.filter { if case .rotated = $0 { true } else { false } }
        #expect(rotated.count == 1)
    }

    @Test("idle expiry, absolute session age, and unknown tokens", arguments: StoreBackend.available)
    func expiry(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (_, idle) = try await fixture.login()
        fixture.clock.advance(by: StoreFixture.refreshTTL)
        #expect(try await fixture.rotate(idle).0.rejection == .expired)

        // Rotating every day keeps a session alive only until its absolute end.
        let (session, first) = try await fixture.login()
        var current = first
        for _ in 0..<29 {
            fixture.clock.advance(by: 86400)
            let (result, next) = try await fixture.rotate(current)
            #expect(result.succeeded)
            current = next
        }
        fixture.clock.advance(by: 86400)
        #expect(try await fixture.rotate(current).0.rejection == .sessionExpired)
        #expect(try await !fixture.store.isSessionActive(id: session.id))

        #expect(try await fixture.rotate(RefreshToken.generate()).0.rejection == .unknown)
    }

    @Test("a refresh token never outlives its session's absolute end", arguments: StoreBackend.available)
    func childCappedBySession(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (session, first) = try await fixture.login()
        var current = first
        var lastExpiry = Date.distantPast
        for _ in 0..<4 {  // days 6, 12, 18, 24: the last child would outlive day 30
            fixture.clock.advance(by: 6 * 86400)
            let (result, next) = try await fixture.rotate(current)
            guard case .rotated(_, let expiry) = result else {
                Issue.record("rotation failed: \(result)")
                return
            }
            lastExpiry = expiry
            current = next
        }
        #expect(Int64(lastExpiry.timeIntervalSince1970) == session.expiresAt)
    }
}

extension RefreshRejection {
    var isReuse: Bool {
        if case .reuseDetected = self { return true }
        return false
    }
}
