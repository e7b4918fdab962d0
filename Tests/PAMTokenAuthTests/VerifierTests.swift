import Foundation
import JWTKit
import PAMTokenAuth
import Synchronization
import TestSupport
import Testing
import TokenCore

/// A daemon stand-in: a real key ring and issuer, published through a counting key source.
final class FakeDaemon: KeySetSource {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-auth-\(UUID().uuidString)").path
    let clock = ManualClock()
    let policy = TokenPolicy(issuer: "http://127.0.0.1:8719", audiences: ["pamtoken"])
    let keyRing: KeyRing
    private let fetches = Mutex(0)

    init(_ algorithm: SigningAlgorithm = .es256) async throws {
        keyRing = try await KeyRing.open(directory: directory, algorithm: algorithm, clock: clock)
    }

    var fetchCount: Int { fetches.withLock { $0 } }

    func fetch() async throws -> PublishedKeys {
        fetches.withLock { $0 += 1 }
        return PublishedKeys(issuer: policy.issuer, jwks: keyRing.current.jwksJSON)
    }

    func token(groups: [String] = ["alice", "developers"]) async throws -> String {
        let identity = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: groups, name: "Alice")
        let session = SessionContext(sessionID: "s1", authTime: clock.now, authMethod: .password, clientID: "pamtoken", scope: nil)
        return try await TokenIssuer(policy: policy, keyRing: keyRing, clock: clock).issue(for: identity, in: session).token
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: directory) }
}

@Suite("PAMTokenVerifier: offline verification for relying parties")
struct VerifierTests {
    @Test("a valid token yields the typed identity; the JWKS is fetched once and cached")
    func identity() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let verifier = PAMTokenVerifier(source: daemon, clock: daemon.clock)
        let identity = try await verifier.verify(try await daemon.token())
        #expect(identity.user == "alice")
        #expect(identity.uid == 1000 && identity.gid == 1000)
        #expect(identity.groups == ["alice", "developers"])
        #expect(identity.sessionID == "s1")
        #expect(identity.authMethods == ["pwd"])
        #expect(identity.isMember(of: "developers"))
        _ = try await verifier.verify(try await daemon.token())
        #expect(daemon.fetchCount == 1)
    }

    @Test("each rejection reason is reported", arguments: ["expired", "audience", "issuer", "tampered", "junk", "none"])
    func rejections(reason: String) async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        var verifier = PAMTokenVerifier(source: daemon, clock: daemon.clock)
        var token = try await daemon.token()
        let expected: TokenError
        switch reason {
        case "expired":
            daemon.clock.advance(by: 301)
            expected = .expired
        case "audience":
            verifier = PAMTokenVerifier(source: daemon, audience: "kubernetes", clock: daemon.clock)
            expected = .wrongAudience
        case "issuer":
            struct OtherIssuer: KeySetSource {
                let daemon: FakeDaemon
                func fetch() async throws -> PublishedKeys { PublishedKeys(issuer: "http://elsewhere", jwks: try await daemon.fetch().jwks) }
            }
            verifier = PAMTokenVerifier(source: OtherIssuer(daemon: daemon), clock: daemon.clock)
            expected = .wrongIssuer
        case "tampered":
            var parts = token.split(separator: ".").map(String.init)
            parts[1] = Data(#"{"sub":"root","uid":0}"#.utf8).base64URLEncodedString()
            token = parts.joined(separator: ".")
            expected = .badSignature
        case "none":
            let parts = token.split(separator: ".")
            token = Data(#"{"alg":"none","typ":"at+jwt"}"#.utf8).base64URLEncodedString() + ".\(parts[1])."
            expected = .algorithmNotAllowed("none")
        default:
            token = "junk"
            expected = .malformed
        }
        await #expect(throws: PAMTokenAuthError.invalidToken(expected)) { try await verifier.verify(token) }
    }

    @Test("after a key rotation, a token signed by the new key is accepted after exactly one refetch")
    func rotation() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let verifier = PAMTokenVerifier(source: daemon, clock: daemon.clock, minimumRefetchInterval: .zero)
        _ = try await verifier.verify(try await daemon.token())
        #expect(daemon.fetchCount == 1)
        try await daemon.keyRing.rotate()
        let identity = try await verifier.verify(try await daemon.token())
        #expect(identity.user == "alice")
        #expect(daemon.fetchCount == 2)
    }

    @Test("unknown kids cannot make the verifier hammer the daemon: refetches are rate-limited")
    func refetchLimit() async throws {
        let daemon = try await FakeDaemon()
        defer { daemon.cleanUp() }
        let verifier = PAMTokenVerifier(source: daemon, clock: daemon.clock, minimumRefetchInterval: .seconds(3600))
        let token = try await daemon.token()
        _ = try await verifier.verify(token)
        let forged = token.replacingOccurrences(of: daemon.keyRing.current.active.kid, with: "forged-kid")
        var header = try JSONSerialization.jsonObject(with: Data(base64URLEncoded: token.split(separator: ".")[0])!) as! [String: String]
        header["kid"] = "forged-kid"
        let forgedToken =
            try JSONSerialization.data(withJSONObject: header).base64URLEncodedString() + "." + token.split(separator: ".")[1] + "."
            + token.split(separator: ".")[2]
        for _ in 0..<20 {
            await #expect(throws: PAMTokenAuthError.invalidToken(.unknownKey)) { try await verifier.verify(forgedToken) }
        }
        #expect(daemon.fetchCount == 1)
        #expect(forged.isEmpty == false)
    }

    @Test("an HS256 daemon publishes no keys: offline verification says so")
    func hmacDaemon() async throws {
        let daemon = try await FakeDaemon(.hs256)
        defer { daemon.cleanUp() }
        let verifier = PAMTokenVerifier(source: daemon, clock: daemon.clock)
        await #expect(throws: PAMTokenAuthError.notVerifiableOffline) { try await verifier.verify(try await daemon.token()) }
    }
}
