import Foundation
import TestSupport
import Testing
import TokenCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("Key ring: generation, persistence, rotation, pruning, JWKS")
struct KeyRingTests {
    private func mode(_ path: String) -> mode_t {
        var info = stat()
        stat(path, &info)
        return info.st_mode & 0o777
    }

    @Test("the first start generates a key: directory 0700, file 0600, kid stable across restarts")
    func firstStart() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let keys = directory.path + "/keys"
        let ring = try await KeyRing.open(directory: keys, algorithm: .es256, clock: ManualClock())
        let kid = ring.current.active.kid
        #expect(mode(keys) == 0o700)
        #expect(mode("\(keys)/\(kid).json") == 0o600)
        let files = try FileManager.default.contentsOfDirectory(atPath: keys)
        #expect(files == ["\(kid).json"], "no temporary file is left behind")

        let reopened = try await KeyRing.open(directory: keys, algorithm: .es256, clock: ManualClock())
        #expect(reopened.current.active.kid == kid)
    }

    @Test(
        "the JWKS publishes each asymmetric algorithm's public key in RFC 7517/7518 form",
        arguments: [
            (SigningAlgorithm.es256, "EC"), (.edDSA, "OKP"), (.rs256, "RSA"),
        ])
    func jwksShape(algorithm: SigningAlgorithm, kty: String) async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let ring = try await KeyRing.open(directory: directory.path, algorithm: algorithm, clock: ManualClock())
        let json = try JSONSerialization.jsonObject(with: ring.current.jwksJSON) as! [String: [[String: String]]]
        let key = try #require(json["keys"]?.first)
        #expect(key["kty"] == kty)
        #expect(key["kid"] == ring.current.active.kid)
        #expect(key["alg"] == algorithm.rawValue)
        #expect(key["use"] == "sig")
        #expect(key["d"] == nil && key["p"] == nil, "no private member is published")
        let text = String(decoding: ring.current.jwksJSON, as: UTF8.self)
        #expect(!text.contains("PRIVATE"))
    }

    @Test("an HS256 secret is never published: the JWKS is empty")
    func hmacNotPublished() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let ring = try await KeyRing.open(directory: directory.path, algorithm: .hs256, clock: ManualClock())
        #expect(String(decoding: ring.current.jwksJSON, as: UTF8.self) == #"{"keys":[]}"#)
    }

    @Test("rotation activates a new key at once and keeps the old one published until pruned")
    func rotation() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let oldKid = fixture.keyRing.current.active.kid
        let oldToken = try await fixture.issue()

        let next = try await fixture.keyRing.rotate()
        #expect(next.kid != oldKid)
        #expect(fixture.keyRing.current.active.kid == next.kid)
        #expect(fixture.keyRing.current.keys.map(\.kid) == [next.kid, oldKid])
        let newToken = try await fixture.issue()
        #expect(ForgedToken.decodePart(newToken.token, 0)["kid"] as? String == next.kid)
        // A token signed before the rotation still verifies.
        _ = try await fixture.verifier.verify(oldToken.token)

        // Not prunable while a token it signed may still be valid...
        fixture.clock.advance(by: 100)
        #expect(try await fixture.keyRing.prune(retention: fixture.policy.keyRetention).isEmpty)
        // ...and gone afterwards, from memory and from disk.
        fixture.clock.advance(by: fixture.policy.keyRetention)
        #expect(try await fixture.keyRing.prune(retention: fixture.policy.keyRetention) == [oldKid])
        #expect(fixture.keyRing.current.keys.map(\.kid) == [next.kid])
        #expect(!FileManager.default.fileExists(atPath: "\(fixture.keyRing.directory)/\(oldKid).json"))
        await #expect(throws: TokenError.unknownKey) { try await fixture.verifier.verify(oldToken.token) }

        // The retirement survives a restart.
        let reopened = try await KeyRing.open(directory: fixture.keyRing.directory, algorithm: .es256, clock: fixture.clock)
        #expect(reopened.current.active.kid == next.kid)
    }

    @Test("changing the configured algorithm retires the old key instead of accepting its algorithm")
    func algorithmChange() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let es = try await KeyRing.open(directory: directory.path, algorithm: .es256, clock: ManualClock())
        let ed = try await KeyRing.open(directory: directory.path, algorithm: .edDSA, clock: ManualClock())
        #expect(ed.current.active.algorithm == .edDSA)
        #expect(ed.current.active.kid != es.current.active.kid)
        #expect(!ed.current.verificationKeys.kids.contains(es.current.active.kid))
    }

    @Test("a key file readable by others is refused")
    func insecureFile() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        let ring = try await KeyRing.open(directory: directory.path, algorithm: .es256, clock: ManualClock())
        let path = "\(directory.path)/\(ring.current.active.kid).json"
        chmod(path, 0o644)
        await #expect(throws: KeyRingError.insecurePermissions(path: path, mode: 0o644)) {
            try await KeyRing.open(directory: directory.path, algorithm: .es256, clock: ManualClock())
        }
    }

    @Test("a corrupt key file is reported by name, without its contents")
    func corruptFile() async throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanUp() }
        try PrivateFiles.createDirectory(directory.path)
        try PrivateFiles.write(Data("not json SECRETBYTES".utf8), to: directory.path + "/bad.json")
        do {
            _ = try await KeyRing.open(directory: directory.path, algorithm: .es256, clock: ManualClock())
            Issue.record("a corrupt key file was accepted")
        } catch {
            #expect("\(error)".contains("bad.json"))
            #expect(!"\(error)".contains("SECRETBYTES"))
        }
    }
}
