import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import Testing
import TokenAuthority
import TokenCore
import TokenServer
import TokenStore

@Suite("Secrets never reach the logs")
struct LogSecrecyTests {
    @Test("a full session's logs hold no password, access token, refresh token or hash")
    func noSecretsLogged() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let secrets = LogCapture()
        for password in ["wonderland", "builder", "not-the-password"] { secrets.append(password) }
        try await fixture.test { client in
            let first = try await client.login()
            _ = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "not-the-password"])
            let second = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": first.string("refresh_token")]).object
            _ = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": first.string("refresh_token")])  // reuse
            let bob = try await client.login("bob", "builder")
            _ = try await client.bearer("/userinfo", bob.string("access_token"))
            _ = try await client.form("/introspect", ["token": bob.string("access_token")])
            _ = try await client.form("/revoke", ["token": bob.string("refresh_token")])
            for tokens in [first, second, bob] {
                secrets.append(tokens.string("access_token"))
                secrets.append(tokens.string("refresh_token"))
                secrets.append(String(tokens.string("refresh_token").dropFirst(4)))
                secrets.append(String(tokens.string("access_token").split(separator: ".").last ?? ""))
            }
        }
        let logs = fixture.logs.all
        #expect(logs.count > 10, "the flow was logged")
        #expect(logs.contains { $0.contains("reuse detected") })
        // One access-log line per request, naming the user once known.
        #expect(logs.contains { $0.hasPrefix("info request") && $0.contains("route=/userinfo") && $0.contains("user=bob") })
        #expect(
            logs.contains { $0.hasPrefix("info request") && $0.contains("route=/token") && $0.contains("status=200") && $0.contains("user=alice") })
        #expect(secrets.all.count == 15)
        for secret in secrets.all where !secret.isEmpty {
            #expect(!logs.contains { $0.contains(secret) }, "a secret was logged")
        }
    }
}
