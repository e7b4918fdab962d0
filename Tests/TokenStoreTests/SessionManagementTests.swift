import Foundation
import GRDB
import TestSupport
import Testing
import TokenCore
import TokenStore

#if canImport(Glibc)
import Glibc
#endif

@Suite("Sessions: listing, revocation, garbage collection, storage")
struct SessionManagementTests {
    @Test("a user sees only their own active sessions, newest first", arguments: StoreBackend.available)
    func listing(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (a1, _) = try await fixture.login("alice")
        fixture.clock.advance(by: 1)
        let (a2, _) = try await fixture.login("alice")
        _ = try await fixture.login("bob", uid: 1001)
        let revoked = try await fixture.login("alice").0
        try await fixture.store.revokeSession(id: revoked.id, reason: "logout")

        let mine = try await fixture.store.activeSessions(user: "alice")
        #expect(mine.map(\.id) == [a2.id, a1.id])
        #expect(mine.first?.peer == "uid 1000 pid 42")
        #expect(mine.first?.peerUID == 1000)
        #expect(try await fixture.store.activeSessions(user: nil).count == 3)
    }

    @Test("revoking by refresh token, by id and by user", arguments: StoreBackend.available)
    func revocation(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        let (s1, t1) = try await fixture.login("alice")
        let revoked = try await fixture.store.revokeSession(containing: t1, reason: "rfc7009")
        #expect(revoked?.id == s1.id)
        #expect(try await fixture.rotate(t1).0.rejection == .sessionRevoked)
        #expect(try await fixture.store.revokeSession(containing: RefreshToken.generate(), reason: "x") == nil)

        _ = try await fixture.login("alice")
        _ = try await fixture.login("alice")
        let (bob, _) = try await fixture.login("bob", uid: 1001)
        #expect(try await fixture.store.revokeSessions(user: "alice", reason: "admin") == 2)
        #expect(try await fixture.store.activeSessions(user: "alice").isEmpty)
        #expect(try await fixture.store.isSessionActive(id: bob.id))
        #expect(try await fixture.store.revokeSession(id: bob.id, reason: "admin"))
        #expect(try await !fixture.store.revokeSession(id: bob.id, reason: "admin"), "revoking twice reports nothing to do")
    }

    @Test("garbage collection removes dead sessions and expired tokens, in bounded batches, and nothing alive", arguments: StoreBackend.available)
    func garbageCollection(backend: StoreBackend) async throws {
        let fixture = try await StoreFixture(backend)
        defer { fixture.cleanUp() }
        for _ in 0..<25 { _ = try await fixture.login("old") }
        fixture.clock.advance(by: StoreFixture.refreshTTL - 10)
        let (alive, token) = try await fixture.login("alice")
        fixture.clock.advance(by: 20)  // the 25 "old" sessions are now idle-expired
        _ = try await fixture.rotate(token)

        let deleted = try await fixture.store.collectGarbage(batchSize: 4)
        #expect(deleted == 25)
        #expect(try await fixture.store.isSessionActive(id: alive.id))
        let counts = try await fixture.store.counts()
        #expect(counts.activeSessions == 1)
        #expect(counts.refreshTokens == 2, "the live session keeps its used parent for reuse detection")
        #expect(try await fixture.store.collectGarbage() == 0)
    }

    @Test("the database holds token hashes only, is 0600 and commits with synchronous=FULL")
    func storage() async throws {
        let fixture = try StoreFixture()
        defer { fixture.cleanUp() }
        var issued: [RefreshToken] = []
        for _ in 0..<5 {
            let (_, token) = try await fixture.login()
            let (_, next) = try await fixture.rotate(token)
            issued += [token, next]
        }
        #expect(try await fixture.sqlite!.synchronousLevel() == 2)

        var info = stat()
        stat(fixture.databasePath, &info)
        #expect(info.st_mode & 0o777 == 0o600)

        var bytes = Data()
        for suffix in ["", "-wal", "-shm"] {
            bytes += FileManager.default.contents(atPath: fixture.databasePath + suffix) ?? Data()
        }
        #expect(bytes.count > 0)
        for token in issued {
            #expect(bytes.range(of: Data(token.value.utf8)) == nil, "a refresh token is stored in clear")
            #expect(bytes.range(of: Data(token.value.dropFirst(4).utf8)) == nil)
        }
        #expect(bytes.range(of: issued[0].hash) != nil, "the hash is what is stored")
    }

    @Test("an existing world-readable database file is tightened to 0600 on open")
    func tightensPermissions() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-perm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try SessionStore.open(path: path, clock: ManualClock())
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
