import Crypto
import Foundation
import JWTKit
import TestSupport
import Testing
import TokenCore

@Suite("Access tokens: issuing and verifying by RFC 9068 and RFC 8725")
struct AccessTokenTests {
    @Test("a token round-trips with every claim of docs/api.md#access-token", arguments: SigningAlgorithm.allCases)
    func roundTrip(algorithm: SigningAlgorithm) async throws {
        let fixture = try await TokenFixture(algorithm)
        defer { fixture.cleanUp() }
        let issued = try await fixture.issue()
        let claims = try await fixture.verifier.verify(issued.token)
        #expect(claims == issued.claims)
        #expect(claims.sub.value == "alice")
        #expect(claims.uid == 1000 && claims.gid == 1000)
        #expect(claims.groups == ["alice", "wheel"])
        #expect(claims.amr == ["pwd"])
        #expect(claims.sid == "s1")
        #expect(issued.expiresAt == fixture.clock.nowInSeconds.addingTimeInterval(300))

        let header = ForgedToken.decodePart(issued.token, 0)
        #expect(header["typ"] as? String == "at+jwt")
        #expect(header["alg"] as? String == algorithm.rawValue)
        #expect(header["kid"] as? String == fixture.keyRing.current.active.kid)
    }

    @Test("NumericDates are integers, as PyJWT and other libraries require")
    func integerDates() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        fixture.clock.set(Date(timeIntervalSince1970: 1_800_000_000.75))
        let issued = try await fixture.issue()
        let payload = String(decoding: Data(base64URLEncoded: issued.token.split(separator: ".")[1])!, as: UTF8.self)
        for claim in ["exp", "iat", "nbf", "auth_time"] {
            let match = payload.range(of: "\"\(claim)\":[0-9]+[,}]", options: .regularExpression)
            #expect(match != nil, "\(claim) is not an integer in \(payload)")
        }
        #expect(payload.contains("\"iat\":1800000000"))
        #expect(payload.contains("\"exp\":1800000300"))
        #expect(payload.contains("\"client_id\":\"pamtoken\""))
    }

    @Test(
        "a relying party verifies our tokens with a key set rebuilt from the published JWKS",
        arguments: [
            SigningAlgorithm.es256, .edDSA, .rs256,
        ])
    func verifiedThroughJWKS(algorithm: SigningAlgorithm) async throws {
        let fixture = try await TokenFixture(algorithm)
        defer { fixture.cleanUp() }
        let issued = try await fixture.issue()
        let published = try await VerificationKeys.fromJWKS(fixture.keyRing.current.jwksJSON, algorithm: algorithm)
        let relyingParty = TokenVerifier(issuer: fixture.policy.issuer, audiences: ["pamtoken"], clock: fixture.clock) { published }
        #expect(try await relyingParty.verify(issued.token) == issued.claims)

        // And plain jwt-kit, knowing nothing of pamtoken, accepts it too.
        let collection = try await JWTKeyCollection().add(jwksJSON: String(decoding: fixture.keyRing.current.jwksJSON, as: UTF8.self))
        let claims = try await collection.verify(issued.token, as: AccessTokenClaims.self)
        #expect(claims.sub.value == "alice")
    }

    @Test("an expired token is reported as expired, and only as expired")
    func expiry() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let issued = try await fixture.issue()
        fixture.clock.advance(by: 299)
        _ = try await fixture.verifier.verify(issued.token)
        fixture.clock.advance(by: 1)  // exactly exp: RFC 7519 "on or after" → rejected
        await #expect(throws: TokenError.expired) { try await fixture.verifier.verify(issued.token) }

        // Expired *and* from another issuer: the other fault wins, so "expired" never hides an attack.
        let other = TokenVerifier(issuer: "http://evil", audiences: ["pamtoken"], clock: fixture.clock) {
            fixture.keyRing.current.verificationKeys
        }
        await #expect(throws: TokenError.wrongIssuer) { try await other.verify(issued.token) }
    }

    @Test("iss and aud must be ours")
    func issuerAndAudience() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let issued = try await fixture.issue()
        let keys: @Sendable () -> VerificationKeys = { fixture.keyRing.current.verificationKeys }
        let otherAudience = TokenVerifier(issuer: fixture.policy.issuer, audiences: ["kubernetes"], clock: fixture.clock, keys: keys)
        await #expect(throws: TokenError.wrongAudience) { try await otherAudience.verify(issued.token) }
        let otherIssuer = TokenVerifier(issuer: "https://elsewhere", audiences: ["pamtoken"], clock: fixture.clock, keys: keys)
        await #expect(throws: TokenError.wrongIssuer) { try await otherIssuer.verify(issued.token) }
    }

    @Test("a token from the future (nbf/iat beyond the leeway) is not yet valid")
    func notYetValid() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let issued = try await fixture.issue()
        fixture.clock.advance(by: -60)
        await #expect(throws: TokenError.notYetValid) { try await fixture.verifier.verify(issued.token) }
    }

    @Test("header attacks are refused before any signature check")
    func headerAttacks() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let token = try await fixture.issue().token
        let parts = token.split(separator: ".")

        let none = "\(ForgedToken.encode(["alg": "none", "typ": "at+jwt", "kid": fixture.keyRing.current.active.kid])).\(parts[1])."
        await #expect(throws: TokenError.algorithmNotAllowed("none")) { try await fixture.verifier.verify(none) }

        let noAlg = ForgedToken.tamper(token, header: ["alg": NSNull()])
        await #expect(throws: TokenError.algorithmNotAllowed("none")) { try await fixture.verifier.verify(noAlg) }

        let rsa = ForgedToken.tamper(token, header: ["alg": "RS256"])
        await #expect(throws: TokenError.algorithmNotAllowed("RS256")) { try await fixture.verifier.verify(rsa) }

        let idToken = ForgedToken.tamper(token, header: ["typ": "JWT"])
        await #expect(throws: TokenError.wrongType) { try await fixture.verifier.verify(idToken) }

        let unknownKid = ForgedToken.tamper(token, header: ["kid": "not-a-key"])
        await #expect(throws: TokenError.unknownKey) { try await fixture.verifier.verify(unknownKid) }

        let critical = ForgedToken.tamper(token, header: ["crit": ["exp"]])
        await #expect(throws: TokenError.malformed) { try await fixture.verifier.verify(critical) }
    }

    @Test("HS256 signed with the public key (the classic key-confusion attack) is refused")
    func keyConfusion() async throws {
        let fixture = try await TokenFixture(.rs256)
        defer { fixture.cleanUp() }
        let token = try await fixture.issue().token
        let header = ForgedToken.encode(["alg": "HS256", "typ": "at+jwt", "kid": fixture.keyRing.current.active.kid])
        let payload = String(token.split(separator: ".")[1])
        let publicKey = fixture.keyRing.current.jwksJSON
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(payload)".utf8), using: SymmetricKey(data: publicKey))
        let forged = "\(header).\(payload).\(Data(mac).base64URLEncodedString())"
        await #expect(throws: TokenError.algorithmNotAllowed("HS256")) { try await fixture.verifier.verify(forged) }
    }

    @Test("a changed payload or signature fails the signature check")
    func tampering() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let token = try await fixture.issue().token
        let promoted = ForgedToken.tamper(token, payload: ["uid": 0, "sub": "root"])
        await #expect(throws: TokenError.badSignature) { try await fixture.verifier.verify(promoted) }
        let noSignature = String(token[..<token.lastIndex(of: ".")!]) + "."
        await #expect(throws: TokenError.badSignature) { try await fixture.verifier.verify(noSignature) }

        // A token signed by another daemon's key with our kid.
        let stranger = try await TokenFixture()
        defer { stranger.cleanUp() }
        let foreign = try await stranger.issue().token
        let relabelled = ForgedToken.tamper(foreign, header: ["kid": fixture.keyRing.current.active.kid])
        await #expect(throws: TokenError.badSignature) { try await fixture.verifier.verify(relabelled) }
    }

    @Test(
        "junk, truncated and oversized input is malformed, never a crash",
        arguments: [
            "", ".", "..", "a.b.c", "abc", "not a token at all", "ptr_AAAA", String(repeating: "A", count: 20000),
        ])
    func malformed(input: String) async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        await #expect(throws: TokenError.malformed) { try await fixture.verifier.verify(input) }
    }

    @Test("a truncated real token is refused")
    func truncated() async throws {
        let fixture = try await TokenFixture()
        defer { fixture.cleanUp() }
        let token = try await fixture.issue().token
        for length in [10, token.count / 2, token.count - 5] {
            await #expect(throws: TokenError.self) { try await fixture.verifier.verify(token.prefix(length)) }
        }
    }
}
