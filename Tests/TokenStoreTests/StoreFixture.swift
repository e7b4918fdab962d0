import Foundation
import GRDB
import TestSupport
import TokenCore
import TokenStore

/// A store on a fresh database file in a temp directory, with a manual clock.
struct StoreFixture {
    let directory: String
    let clock = ManualClock()
    let store: SessionStore

    static let refreshTTL: TimeInterval = 7 * 86400
    static let maxAge: TimeInterval = 30 * 86400

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try SessionStore.open(path: directory + "/pamtoken.sqlite", clock: clock)
    }

    var databasePath: String { directory + "/pamtoken.sqlite" }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func login(_ user: String = "alice", uid: UInt32 = 1000) async throws -> (SessionRecord, RefreshToken) {
        let token = RefreshToken.generate()
        let new = NewSession(
            user: user, uid: uid, authMethod: .password, clientID: "pamtoken", peer: "uid 1000 pid 42", peerUID: 1000, peerPID: 42,
            maxAge: Self.maxAge, refreshTTL: Self.refreshTTL)
        let (session, _) = try await store.createSession(new, token: token)
        return (session, token)
    }

    func rotate(_ token: RefreshToken, grace: TimeInterval = 0) async throws -> (RotationResult, RefreshToken) {
        let next = RefreshToken.generate()
        return (try await store.rotate(token, to: next, refreshTTL: Self.refreshTTL, reuseGrace: grace), next)
    }
}

extension RotationResult {
    var succeeded: Bool {
        switch self {
        case .rotated, .retried: true
        case .rejected: false
        }
    }

    var rejection: RefreshRejection? {
        if case .rejected(let reason) = self { return reason }
        return nil
    }
}
