import DaemonConfig
import Foundation
import JWTKit
import TestSupport
import Testing
import TokenAuthority
import TokenCore

@testable import TokenServer

/// Seeded random mutation of valid inputs for the parsers that face untrusted bytes: form and JSON
/// bodies, JWTs, and the TOML config. Not coverage-guided like libFuzzer, but deterministic and fast
/// enough for every test run: the property is "a typed error or a value, never a crash or a hang".
@Suite("Mutation: parsers never crash on damaged input")
struct MutationTests {

    static let interesting: [UInt8] = Array("%&=+{}[]\":,\\\u{0}\n\r .-_".utf8) + [0xFF, 0xC3, 0x80, 0xE2]

    /// One to four random edits: flip, insert, delete, duplicate a slice, or splice an interesting byte.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[index] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: bytes.insert(interesting.randomElement(using: &rng)!, at: index)
            case 2 where !bytes.isEmpty: bytes.remove(at: index)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, index + Int.random(in: 1...16, using: &rng))
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: index)
            }
        }
        return bytes
    }

    @Test("20,000 mutated form and JSON bodies: parsed or invalid_request")
    func bodies() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        let seeds = [
            "grant_type=password&username=alice&password=p%40ss+word", "grant_type=refresh_token&refresh_token=ptr_AAAA",
            #"{"grant_type":"password","username":"alice","password":"x","n":1,"b":true}"#, "token=a.b.c",
        ].map { Array($0.utf8) }
        var parsed = 0
        for round in 0..<20_000 {
            let input = Self.mutate(seeds[round % seeds.count], &rng)
            do {
                _ = input.first == UInt8(ascii: "{") ? try RequestParameters.parseJSON(input) : try RequestParameters.parseForm(input)
                parsed += 1
            } catch {
                #expect(error.code == "invalid_request")
            }
        }
        #expect(parsed > 1000, "most mutations still parse: the mutator explores real shapes")
    }

    @Test("5,000 mutated access tokens: refused with a TokenError, never accepted with other claims")
    func tokens() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-mut-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock()
        let policy = TokenPolicy()
        let keyRing = try await KeyRing.open(directory: directory, algorithm: .es256, clock: clock)
        let identity = UserIdentity(user: "alice", uid: 1000, gid: 1000, groups: ["alice"], name: nil)
        let session = SessionContext(sessionID: "s", authTime: clock.now, authMethod: .password, clientID: "c", scope: nil)
        let token = try await TokenIssuer(policy: policy, keyRing: keyRing, clock: clock).issue(for: identity, in: session).token
        let verifier = TokenVerifier(policy: policy, keyRing: keyRing, clock: clock)
        var rng = SplitMix64(seed: 0x5EED_0002)
        var accepted = 0
        for _ in 0..<5_000 {
            let mutated = String(decoding: Self.mutate(Array(token.utf8), &rng), as: UTF8.self)
            guard mutated != token, let claims = try? await verifier.verify(mutated) else { continue }
            // Base64url has slack bits: a change in the last character can decode to the same bytes.
            #expect(claims.sub.value == "alice", "a mutated token was accepted with other claims")
            accepted += 1
        }
        #expect(accepted < 50)
    }

    @Test("2,000 mutated configuration files: loaded or one-line ConfigurationError")
    func configurations() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-mutcfg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seed = Array(
            """
            listen = ["unix:/run/pamtoken/pamtoken.sock", "tcp:127.0.0.1:8719"]
            access_ttl = 300
            issuer = "http://127.0.0.1:8719"
            audience = ["pamtoken"]
            signing_alg = "ES256"
            peercred_grant = false
            """.utf8)
        var rng = SplitMix64(seed: 0x5EED_0003)
        let path = directory + "/pamtoken.toml"
        for _ in 0..<2_000 {
            try Data(Self.mutate(seed, &rng)).write(to: URL(fileURLWithPath: path))
            do {
                _ = try ConfigurationLoader.load(configPath: path, environment: [:])
            } catch {
                #expect(!error.description.contains("\n"), "\(error.description)")
            }
        }
    }
}
