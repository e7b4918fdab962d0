import Foundation
import JWTKit
import TestSupport
import Testing
import TokenCore

/// A fleet's hosts trust each other's published public keys (docs/fleet.md, "Keys"): what a key ring
/// adopts, what it refuses, and when it stops trusting.
@Suite("Key ring: other hosts' published keys")
struct PeerKeyTests {
    /// Two hosts on one clock: A signs, B adopts what A publishes.
    struct Fleet {
        let a: TokenFixture
        let b: KeyRing
        let verifierB: TokenVerifier

        init(_ algorithm: SigningAlgorithm = .es256) async throws {
            a = try await TokenFixture(algorithm)
            b = try await KeyRing.open(directory: a.directory.path + "/keys-b", algorithm: algorithm, clock: a.clock)
            verifierB = TokenVerifier(policy: a.policy, keyRing: b, clock: a.clock)
        }

        func publishedByA(for seconds: TimeInterval = 600) async throws -> [PublishedKey] {
            try await a.keyRing.publications(host: "a.example", heartbeat: seconds, retention: 400)
        }
    }

    @Test("a token signed on A verifies on B once B adopts A's keys, and B's JWKS serves both", arguments: [SigningAlgorithm.es256, .edDSA, .rs256])
    func union(algorithm: SigningAlgorithm) async throws {
        let fleet = try await Fleet(algorithm)
        defer { fleet.a.cleanUp() }
        let token = try await fleet.a.issue().token
        await #expect(throws: TokenError.unknownKey) { try await fleet.verifierB.verify(token) }

        #expect(try await fleet.b.adopt(fleet.publishedByA()).isEmpty)
        #expect(try await fleet.verifierB.verify(token).sub.value == "alice")
        let jwks = try JSONSerialization.jsonObject(with: fleet.b.current.jwksJSON) as! [String: [[String: String]]]
        let kids = jwks["keys"]?.compactMap { $0["kid"] } ?? []
        #expect(kids == [fleet.b.current.active.kid, fleet.a.keyRing.current.active.kid], "B's own key first, then A's")
        #expect(jwks["keys"]?.last?["use"] == "sig")
        #expect(fleet.b.current.active.kid != fleet.a.keyRing.current.active.kid, "B still signs with its own key")
    }

    @Test("a published key whose kid is not its thumbprint, or of the wrong type, or HMAC, is refused; a private member is never republished")
    func validation() async throws {
        let fleet = try await Fleet()
        defer { fleet.a.cleanUp() }
        let good = try #require(try await fleet.publishedByA().first)
        var members = try JSONDecoder().decode([String: String].self, from: Data(good.jwk.utf8))
        func row(kid: String = good.kid, alg: String = good.algorithm, _ jwk: [String: String]) throws -> PublishedKey {
            let json = String(decoding: try JSONEncoder().encode(jwk), as: UTF8.self)
            return PublishedKey(kid: kid, algorithm: alg, jwk: json, host: "evil", notAfter: good.notAfter)
        }
        let other = try await TokenFixture()
        defer { other.cleanUp() }
        let rejected = try await fleet.b.adopt([
            try row(kid: other.keyRing.current.active.kid, members),  // someone else's kid on A's key
            try row(alg: "HS256", members),
            try row(alg: "RS256", members),
            PublishedKey(kid: "k", algorithm: "ES256", jwk: "not json", host: "evil", notAfter: good.notAfter),
            try row(members.merging(["x": "a\",\"b"]) { $1 }),
        ])
        #expect(rejected.map(\.host) == ["evil", "evil", "evil", "evil", "evil"])
        #expect(rejected[4].reason == "the JWK's x is not base64url")
        #expect(rejected[0].reason == "the kid is not the key's RFC 7638 thumbprint")
        #expect(fleet.b.current.peers.isEmpty)

        members["d"] = "c2VjcmV0"
        members["x5u"] = "https://evil.example/"
        #expect(try await fleet.b.adopt([try row(members)]).isEmpty, "extra members do not change which key it is")
        let published = String(decoding: fleet.b.current.jwksJSON, as: UTF8.self)
        #expect(!published.contains("c2VjcmV0") && !published.contains("evil.example"), "only the public members are served")
    }

    @Test("a host's keys stop being trusted when they lapse: at adoption, and at pruning without a directory")
    func lapse() async throws {
        let fleet = try await Fleet()
        defer { fleet.a.cleanUp() }
        let token = try await fleet.a.issue().token
        #expect(try await fleet.b.adopt(fleet.publishedByA(for: 100)).isEmpty)
        #expect(try await fleet.verifierB.verify(token, acceptingExpired: true).sub.value == "alice")

        fleet.a.clock.advance(by: 101)
        #expect(try await fleet.b.prune(retention: 400) == [fleet.a.keyRing.current.active.kid])
        await #expect(throws: TokenError.unknownKey) { try await fleet.verifierB.verify(token, acceptingExpired: true) }
        fleet.a.clock.advance(by: -101)
        #expect(try await fleet.b.adopt(fleet.publishedByA(for: 100)).isEmpty)
        fleet.a.clock.advance(by: 101)
        #expect(try await fleet.b.adopt(fleet.publishedByA(for: -1)).isEmpty)
        #expect(fleet.b.current.peers.isEmpty, "a lapsed row is not adopted")
    }

    @Test("B's own keys are never replaced by a published row under the same kid")
    func ownKeysStay() async throws {
        let fleet = try await Fleet()
        defer { fleet.a.cleanUp() }
        let own = try await fleet.b.publications(host: "b.example", heartbeat: 600, retention: 400)
        #expect(try await fleet.b.adopt(own).isEmpty)
        #expect(fleet.b.current.peers.isEmpty)
    }

    @Test("an unknown kid asks the verifier's refresh once, and the token verifies when the refresh found the key")
    func refreshOnUnknownKey() async throws {
        let fleet = try await Fleet()
        defer { fleet.a.cleanUp() }
        let token = try await fleet.a.issue().token
        let asked = Counter()
        let published = try await fleet.publishedByA()
        let b = fleet.b
        let verifier = TokenVerifier(
            policy: fleet.a.policy, keyRing: b, clock: fleet.a.clock,
            refreshKeys: {
                asked.increment()
                return (try? await b.adopt(published)) != nil
            })
        #expect(try await verifier.verify(token).sub.value == "alice")
        #expect(asked.value == 1)
        #expect(try await verifier.verify(token).sub.value == "alice")
        #expect(asked.value == 1, "a known kid asks nothing")
    }

    @Test("a rotation announces the new keys before it stores or signs with them; a failed announcement changes nothing")
    func announcedRotation() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let before = fixture.keyRing.current.active.kid
        struct Unreachable: Error {}
        await #expect(throws: Unreachable.self) { try await fixture.keyRing.rotate(announce: { _ in throw Unreachable() }) }
        #expect(fixture.keyRing.current.active.kid == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path + "/keys") == ["\(before).json"])

        let announced = Counter()
        let key = try await fixture.keyRing.rotate(announce: { keys in
            #expect(keys.count == 1)
            announced.increment()
        })
        #expect(announced.value == 1 && key.kid != before && fixture.keyRing.current.active.kid == key.kid)
    }
}
