import Crypto
import Foundation
import JWTKit
import TestSupport
import Testing
import TokenCore

/// ID tokens and the key ring's second algorithm (a client's `id_token_alg`).
@Suite("ID tokens and one active key per algorithm")
struct IDTokenTests {
    @Test("with an RS256 client beside ES256 access tokens: both keys are published, each signs its own tokens")
    func secondAlgorithm() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = ManualClock()
        let policy = TokenPolicy(issuer: "http://127.0.0.1:8719", audiences: ["pamtoken"])
        let ring = try await KeyRing.open(directory: directory.path + "/keys", algorithm: .es256, idTokenAlgorithms: [.rs256], clock: clock)
        let keys = ring.current
        #expect(keys.keys.map(\.algorithm) == [.es256, .rs256])
        let jwks = try JSONSerialization.jsonObject(with: keys.jwksJSON) as? [String: [[String: String]]]
        #expect(Set(jwks?["keys"]?.compactMap { $0["alg"] } ?? []) == ["ES256", "RS256"])

        let issuer = TokenIssuer(policy: policy, keyRing: ring, clock: clock)
        let identity = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice"], name: "Alice")
        let access = try await issuer.issue(
            for: identity, in: SessionContext(sessionID: "s", authTime: clock.now, authMethod: .password, clientID: "wiki", scope: nil))
        let idToken = try await issuer.issueIDToken(
            for: identity, clientID: "wiki", nonce: "n", browserSessionID: "b", authTime: clock.now, scopes: ["openid", "posix"],
            accessToken: access.token, algorithm: .rs256)
        let header = ForgedToken.decodePart(idToken, 0)
        #expect(header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == keys.activeByAlgorithm[.rs256]?.kid)
        let payload = ForgedToken.decodePart(idToken, 1)
        #expect(payload["uid"] as? Int == 1000 && payload["preferred_username"] == nil, "posix without profile")
        #expect(payload["at_hash"] as? String == Data(Array(SHA256.hash(data: Data(access.token.utf8))).prefix(16)).base64URLEncodedString())

        // Read back as a logout hint; never accepted as an access token, whatever its algorithm.
        #expect(await issuer.readIDTokenHint(idToken)?.sub.value == "alice")
        let verifier = TokenVerifier(policy: policy, keyRing: ring, clock: clock)
        await #expect(throws: TokenError.self) { try await verifier.verify(idToken) }
        // An RS256 access token is refused: access tokens take the configured algorithm only.
        let relabelled = ForgedToken.tamper(access.token, header: ["alg": "RS256", "kid": keys.activeByAlgorithm[.rs256]?.kid ?? ""])
        await #expect(throws: TokenError.self) { try await verifier.verify(relabelled) }
        // A hint whose header names another algorithm than its key's is not read.
        #expect(await issuer.readIDTokenHint(ForgedToken.tamper(idToken, header: ["alg": "ES256"])) == nil)
    }

    @Test("rotation renews every algorithm; dropping one retires its key, which is pruned in time")
    func rotationAndRemoval() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let clock = ManualClock()
        let path = directory.path + "/keys"
        let ring = try await KeyRing.open(directory: path, algorithm: .es256, idTokenAlgorithms: [.rs256], clock: clock)
        let before = ring.current.activeByAlgorithm
        try await ring.rotate()
        let after = ring.current
        #expect(after.activeByAlgorithm[.es256]?.kid != before[.es256]?.kid && after.activeByAlgorithm[.rs256]?.kid != before[.rs256]?.kid)
        #expect(after.keys.count == 4, "the retired keys still verify")

        clock.advance(by: 10)
        let reopened = try await KeyRing.open(directory: path, algorithm: .es256, clock: clock)
        #expect(reopened.idTokenAlgorithms.isEmpty)
        #expect(reopened.current.keys.allSatisfy { $0.algorithm == .es256 }, "RS256 keys are no longer published")
        clock.advance(by: 1000)
        let removed = try await reopened.prune(retention: 100)
        #expect(removed.count == 3, "the old ES256 key and both RS256 keys")
        #expect(try FileManager.default.contentsOfDirectory(atPath: path).count == 1)
    }
}
