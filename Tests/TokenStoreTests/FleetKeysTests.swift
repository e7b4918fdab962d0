import Foundation
import JWTKit
import Logging
import PostgresNIO
import PostgresStore
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenStore

/// The fleet's public keys in PostgreSQL (docs/fleet.md, "Keys"): two hosts' key rings on one database,
/// each publishing its own keys and trusting the other's, with the real directory in between.
@Suite("Fleet keys on PostgreSQL", .enabled(if: StoreBackend.postgresURL != nil, "needs PAMTOKEN_TEST_POSTGRES"))
struct FleetKeysTests {
    static let policy = TokenPolicy(issuer: "http://127.0.0.1:8719", audiences: ["pamtoken"], accessTTL: 300)

    /// One host: its own key ring and key sharing, on the fixture's database and clock.
    struct Host {
        let keyRing: KeyRing
        let fleet: FleetKeys
        let issuer: TokenIssuer
        let verifier: TokenVerifier

        init(_ name: String, on fixture: StoreFixture) async throws {
            let directory = try #require(fixture.store as? any PublicKeyDirectory)
            keyRing = try await KeyRing.open(directory: "\(fixture.directory)/keys-\(name)", algorithm: .es256, clock: fixture.clock)
            let fleet = FleetKeys(
                directory: directory, keyRing: keyRing, host: name, policy: FleetKeysTests.policy, clock: fixture.clock,
                logger: Logger(label: "test"))
            self.fleet = fleet
            issuer = TokenIssuer(policy: FleetKeysTests.policy, keyRing: keyRing, clock: fixture.clock)
            verifier = TokenVerifier(
                policy: FleetKeysTests.policy, keyRing: keyRing, clock: fixture.clock, refreshKeys: { await fleet.refreshAfterUnknownKey() })
        }

        func token() async throws -> String {
            let session = SessionContext(sessionID: "s1", authTime: Date(), authMethod: .password, clientID: "pamtoken", scope: nil)
            return try await issuer.issue(for: UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: [], name: nil), in: session).token
        }
    }

    @Test("published rows are read back by kid, renewed in place, no longer read once lapsed, and deleted a day later")
    func directory() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let directory = try #require(fixture.store as? any PublicKeyDirectory)
        let ring = try await KeyRing.open(directory: fixture.directory + "/keys", algorithm: .edDSA, clock: fixture.clock)
        let keys = try await ring.publications(host: "a", heartbeat: 60, retention: 30)
        try await directory.publish(keys, now: fixture.clock.now)
        #expect(try await directory.publishedKeys(at: fixture.clock.now) == keys)
        let renewed = try await ring.publications(host: "a-renamed", heartbeat: 120, retention: 30)
        try await directory.publish(renewed, now: fixture.clock.now)
        #expect(try await directory.publishedKeys(at: fixture.clock.now) == renewed, "one row per kid, with the newest lifetime")
        fixture.clock.advance(by: 121)
        #expect(try await directory.publishedKeys(at: fixture.clock.now).isEmpty, "a lapsed row is not read")
        try await directory.publish([], now: fixture.clock.now)
        #expect(try await rows(in: fixture) == 1, "nor deleted at once: another host's clock may be behind")
        fixture.clock.advance(by: 86400)
        try await directory.publish([], now: fixture.clock.now)
        #expect(try await rows(in: fixture) == 0, "a day later it is")
    }

    private func rows(in fixture: StoreFixture) async throws -> Int {
        let store = try #require(fixture.store as? PostgresSessionStore)
        let rows = try await store.client.query("SELECT count(*) FROM public_keys")
        for try await count in rows.decode(Int.self) { return count }
        return -1
    }

    @Test("two hosts: each verifies the other's tokens, a rotation is trusted at once, a host that disappears is not trusted once its keys lapse")
    func twoHosts() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let a = try await Host("a", on: fixture)
        let b = try await Host("b", on: fixture)
        try await a.fleet.synchronize()
        try await b.fleet.synchronize()
        #expect(b.keyRing.current.peers.map(\.kid) == [a.keyRing.current.active.kid])
        #expect(try await b.verifier.verify(a.token()).sub.value == "alice")
        #expect(try await a.verifier.verify(b.token()).sub.value == "alice", "A learns B's key from the directory on first sight")

        // A rotates; B has not synchronised since, and still verifies A's first token signed by the new key.
        fixture.clock.advance(by: 2)
        try await a.keyRing.rotate(announce: { keys in try await a.fleet.announce(keys) })
        let rotated = try await a.token()
        #expect(try await b.verifier.verify(rotated).sub.value == "alice")
        #expect(b.keyRing.current.peers.count == 2, "A's retired key stays trusted while its tokens live")

        // A disappears: B keeps trusting it until its active key's heartbeat lapses, then not.
        fixture.clock.advance(by: a.fleet.heartbeat - 1)
        try await b.fleet.synchronize()
        #expect(b.keyRing.current.peers.map(\.kid).contains(a.keyRing.current.active.kid))
        fixture.clock.advance(by: 2)
        try await b.fleet.synchronize()
        #expect(b.keyRing.current.peers.isEmpty)
        await #expect(throws: TokenError.unknownKey) { try await b.verifier.verify(rotated, acceptingExpired: true) }
    }

    @Test("an unknown kid reads the directory at most once a second")
    func unknownKidRateLimit() async throws {
        let fixture = try await StoreFixture(.postgres)
        defer { fixture.cleanUp() }
        let a = try await Host("a", on: fixture)
        let b = try await Host("b", on: fixture)
        try await b.fleet.synchronize()
        #expect(await b.fleet.refreshAfterUnknownKey() == false, "nothing new to find")
        try await a.fleet.synchronize()
        let token = try await a.token()
        await #expect(throws: TokenError.unknownKey, "within the second, the directory is not read again") {
            try await b.verifier.verify(token)
        }
        fixture.clock.advance(by: 1)
        #expect(try await b.verifier.verify(token).sub.value == "alice")
    }
}
