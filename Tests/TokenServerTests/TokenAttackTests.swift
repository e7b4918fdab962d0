import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer

/// Forged and damaged tokens against the Bearer routes and introspection: every one
/// refused with the right error, none with a 5xx.
@Suite("Token attacks on /userinfo and /introspect")
struct TokenAttackTests {
    static func b64(_ object: [String: Any]) -> String {
        (try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).base64URLEncodedString()
    }

    /// Variants of a real token, each breaking one rule.
    static func attacks(on token: String, refreshToken: String, kid: String, jwks: Data, clock: ManualClock) -> [String: String] {
        let parts = token.split(separator: ".").map(String.init)
        var header = try! JSONSerialization.jsonObject(with: Data(base64URLEncoded: parts[0])!) as! [String: Any]
        var payload = try! JSONSerialization.jsonObject(with: Data(base64URLEncoded: parts[1])!) as! [String: Any]
        func with(header changes: [String: Any] = [:], payload more: [String: Any] = [:]) -> String {
            var h = header
            var p = payload
            h.merge(changes) { $1 }
            p.merge(more) { $1 }
            return "\(b64(h)).\(b64(p)).\(parts[2])"
        }
        header["alg"] = "HS256"
        let hsInput = "\(b64(header)).\(parts[1])"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(hsInput.utf8), using: SymmetricKey(data: jwks))
        header["alg"] = "ES256"
        let now = Int(clock.now.timeIntervalSince1970)
        payload["exp"] = now + 300
        return [
            "alg none": "\(b64(["alg": "none", "typ": "at+jwt", "kid": kid])).\(parts[1]).",
            "HS256 signed with the public key": "\(hsInput).\(Data(mac).base64URLEncodedString())",
            "RS256 header on an ES256 token": with(header: ["alg": "RS256"]),
            "wrong iss": with(payload: ["iss": "https://evil.example"]),
            "wrong aud": with(payload: ["aud": "kubernetes"]),
            "wrong typ": with(header: ["typ": "JWT"]),
            "nbf in the future": with(payload: ["nbf": now + 3600]),
            "unknown kid": with(header: ["kid": "not-our-key"]),
            "truncated": String(token.prefix(token.count / 2)),
            "oversized": token + String(repeating: "A", count: 20_000),
            "refresh token as access token": refreshToken,
            "empty": "",
        ]
    }

    @Test("every forged or damaged access token is refused: 401 on /userinfo, inactive on /introspect")
    func attacks() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let keyRing = fixture.server.authority.keyRing
            let attacks = Self.attacks(
                on: tokens.string("access_token"), refreshToken: tokens.string("refresh_token"), kid: keyRing.current.active.kid,
                jwks: keyRing.current.jwksJSON, clock: fixture.clock)
            #expect(attacks.count == 12)
            for (name, forged) in attacks {
                let userinfo = try await client.bearer("/userinfo", forged)
                #expect(userinfo.status == .unauthorized, "\(name): \(userinfo.status)")
                #expect(userinfo.object.string("error") == "invalid_token", "\(name)")
                #expect(userinfo.headers[.isTokenExpired] == nil, "\(name) is not merely expired")
                if name != "refresh token as access token" && !forged.isEmpty {
                    let introspection = try await client.form("/introspect", ["token": forged])
                    #expect(introspection.status == .ok || introspection.status == .contentTooLarge, "\(name)")
                    #expect(introspection.object["active"] as? Bool != true, "\(name)")
                }
            }
            // An access token presented as a refresh token.
            let swapped = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("access_token")])
            #expect(swapped.object.string("error") == "invalid_grant")
            // And the genuine token still works: nothing above damaged the session.
            #expect(try await client.bearer("/userinfo", tokens.string("access_token")).status == .ok)
        }
    }
}
