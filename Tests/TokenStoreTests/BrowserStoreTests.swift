import Foundation
import TestSupport
import Testing
import TokenCore
import TokenStore

/// Browser sessions and authorization codes, on every backend: one redemption per code however many
/// race, a replay revokes what the first got, and ending a browser session ends what it started.
@Suite("Browser sessions and authorization codes in the store")
struct BrowserStoreTests {
    @Test("20 concurrent exchanges of one code: one redeemed, the others replays that revoke its session", arguments: StoreBackend.available)
    func oneRedemption(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (browser, cookie) = try await fixture.browserSession()
        #expect(try await fixture.store.browserSession(cookie: cookie)?.id == browser.id)
        let code = AuthorizationCode.generate()
        let now = Int64(fixture.clock.now.timeIntervalSince1970)
        try await fixture.store.storeCode(
            AuthorizationCodeRecord(
                hash: code.hash, clientID: "wiki", redirectURI: "http://127.0.0.1:9000/cb", codeChallenge: "c", nonce: "n", scope: "openid",
                browserSessionID: browser.id, createdAt: now, expiresAt: now + 60))
        #expect(try await fixture.store.code(code)?.clientID == "wiki")

        let outcomes = try await withThrowingTaskGroup(of: CodeRedemption.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    var new = NewSession(
                        user: "alice", uid: 1000, authMethod: .password, clientID: "wiki", peer: nil, maxAge: StoreFixture.maxAge,
                        refreshTTL: StoreFixture.refreshTTL)
                    new.parentID = browser.id
                    return try await fixture.store.redeem(code, starting: new, token: RefreshToken.generate())
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let redeemed = outcomes.compactMap { if case .redeemed(let session, _) = $0 { session } else { nil } }
        #expect(redeemed.count == 1)
        #expect(outcomes.filter { if case .replayed = $0 { true } else { false } }.count == 19)
        let issued = try #require(redeemed.first)
        #expect(try await !fixture.store.isSessionActive(id: issued.id), "the replays revoked what the first exchange got")
        #expect(try await fixture.store.isSessionActive(id: browser.id))
    }

    @Test("revoking a browser session revokes the sessions started from it", arguments: StoreBackend.available)
    func cascade(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (browser, cookie) = try await fixture.browserSession()
        var new = NewSession(
            user: "alice", uid: 1000, authMethod: .password, clientID: "wiki", peer: nil, maxAge: StoreFixture.maxAge,
            refreshTTL: StoreFixture.refreshTTL)
        new.parentID = browser.id
        let (child, _) = try await fixture.store.createSession(new, token: RefreshToken.generate())
        let (other, _) = try await fixture.login()
        #expect(try await fixture.store.revokeSession(id: browser.id, reason: "logout"))
        #expect(try await !fixture.store.isSessionActive(id: child.id))
        #expect(try await fixture.store.session(id: child.id)?.revokeReason == "browser session ended: logout")
        #expect(try await fixture.store.isSessionActive(id: other.id))
        #expect(try await fixture.store.browserSession(cookie: cookie) == nil)
    }
}

extension StoreFixture {
    func browserSession() async throws -> (SessionRecord, BrowserSessionSecret) {
        let cookie = BrowserSessionSecret.generate()
        let new = NewSession(
            user: "alice", uid: 1000, authMethod: .password, clientID: OAuthClient.browserSessionClientID, peer: nil,
            maxAge: StoreFixture.maxAge, refreshTTL: StoreFixture.maxAge)
        return (try await store.createBrowserSession(new, cookie: cookie), cookie)
    }
}
