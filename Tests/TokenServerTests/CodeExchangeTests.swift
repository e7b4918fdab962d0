import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenCore

/// `POST /token grant_type=authorization_code`: the code is single use, short-lived, bound to its
/// client, redirect URI and PKCE verifier; replay revokes; refresh tokens stay with their client.
@Suite("Browser sign-in: exchanging the code")
struct CodeExchangeTests {
    @Test("a code gives an access token, a refresh token and an ID token with nonce, at_hash, sid and the scope's claims")
    func exchange() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let response = try await browser.exchange(try await browser.code())
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let body = response.object
            let access = try #require(body["access_token"] as? String)
            let id = jwtPayload(try #require(body["id_token"] as? String))
            #expect(id["iss"] as? String == "http://127.0.0.1:8719")
            #expect(id["aud"] as? String == "wiki")
            #expect(id["sub"] as? String == "alice" && id["preferred_username"] as? String == "alice")
            #expect(id["nonce"] as? String == "nonce-1")
            #expect(id["amr"] as? [String] == ["pwd"])
            #expect(id["groups"] as? [String] == ["alice", "developers"])
            #expect(id["uid"] == nil, "posix was not asked for")
            let digest = Array(SHA256.hash(data: Data(access.utf8)))
            #expect(id["at_hash"] as? String == Data(digest.prefix(16)).base64URLEncodedString())
            #expect((body["refresh_token"] as? String)?.hasPrefix("ptr_") == true)
            // The ID token's sid is the browser session, which the user's own listing shows.
            let own = try #require(try await client.login()["access_token"] as? String)
            let sessions = try await client.bearer("/sessions", own).object["sessions"] as? [[String: Any]] ?? []
            #expect(sessions.contains { $0["id"] as? String == id["sid"] as? String && $0["client_id"] as? String == "pamtoken-browser" })
            // An ID token is not an access token (RFC 8725 §3.11: typ differs).
            #expect(try await client.bearer("/userinfo", try #require(body["id_token"] as? String)).status == .unauthorized)
            let info = try await client.bearer("/userinfo", access).object
            #expect(info["preferred_username"] as? String == "alice" && info["uid"] == nil, "userinfo follows the scope")
        }
    }

    @Test("a wrong verifier, redirect URI or client leaves the code unspent; the right request then succeeds")
    func bindings() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code()
            let other = Data.random(count: 32).base64URLEncodedString()
            #expect(try await browser.exchange(code, verifier: other).object["error"] as? String == "invalid_grant")
            #expect(try await browser.exchange(code, redirectURI: "https://wiki.example.com/cb?x=1").object["error"] as? String == "invalid_grant")
            let asBoard = try await client.form(
                "/token",
                [
                    "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9000/cb", "code_verifier": browser.verifier,
                    "client_id": "board",
                ])
            #expect(asBoard.object["error"] as? String == "invalid_grant")
            #expect(try await browser.exchange(code).status == .ok)
        }
    }

    @Test("client authentication: a wrong secret, a missing one, or a secret for a public client is invalid_client (401)")
    func clientAuthentication() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let base = ["grant_type": "authorization_code", "code": "pac_x", "redirect_uri": "x", "code_verifier": "y"]
            for fields in [
                base.merging(["client_id": "wiki", "client_secret": "wrong"]) { $1 },
                base.merging(["client_id": "wiki"]) { $1 },
                base.merging(["client_id": "board", "client_secret": "anything"]) { $1 },
                base.merging(["client_id": "nobody", "client_secret": "s3cret"]) { $1 },
                base,
            ] {
                let response = try await client.form("/token", fields)
                #expect(response.status == .unauthorized, "\(fields)")
                #expect(response.object["error"] as? String == "invalid_client")
                #expect(response.headers[.wwwAuthenticate] == "Basic realm=\"pamtoken\"")
            }
            let both = try await client.execute(
                uri: "/token", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: TestClients.basicWiki],
                body: ByteBuffer(string: "grant_type=authorization_code&client_secret=s3cret&code=c&redirect_uri=x&code_verifier=y"))
            #expect(both.object["error"] as? String == "invalid_request", "two authentication methods at once")
        }
    }

    @Test("a replayed code is refused and revokes the session its first exchange started")
    func replay() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code()
            let first = try await browser.exchange(code).object
            let access = try #require(first["access_token"] as? String)
            #expect(try await client.bearer("/userinfo", access).status == .ok)
            let second = try await browser.exchange(code)
            #expect(second.object["error"] as? String == "invalid_grant")
            #expect(try await client.bearer("/userinfo", access).status == .unauthorized)
            let refresh = try await client.execute(
                uri: "/token", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: TestClients.basicWiki],
                body: ByteBuffer(string: "grant_type=refresh_token&refresh_token=\(first["refresh_token"] as? String ?? "")"))
            #expect(refresh.object["error"] as? String == "invalid_grant")
        }
    }

    @Test("20 concurrent exchanges of one code: exactly one wins, and the rest revoke what it got")
    func concurrentExchanges() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code()
            let responses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await browser.exchange(code)
                        return (response.status, response.object["access_token"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = responses.compactMap(\.1)
            #expect(winners.count == 1)
            #expect(responses.filter { $0.0 == .badRequest }.count == 19)
            #expect(try await client.bearer("/userinfo", winners[0]).status == .unauthorized)
        }
    }

    @Test("a code expires after 60 seconds")
    func expiry() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let code = try await browser.code()
            fixture.clock.advance(by: 61)
            #expect(try await browser.exchange(code).object["error"] as? String == "invalid_grant")
        }
    }

    @Test("a refresh token belongs to its client: without that client's authentication it is refused and not spent")
    func refreshBoundToClient() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let refresh = try #require(try await browser.exchange(try await browser.code()).object["refresh_token"] as? String)
            let bare = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": refresh])
            #expect(bare.object["error"] as? String == "invalid_grant")
            let asBoard = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": refresh, "client_id": "board"])
            #expect(asBoard.object["error"] as? String == "invalid_grant")
            let own = try await client.execute(
                uri: "/token", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: TestClients.basicWiki],
                body: ByteBuffer(string: "grant_type=refresh_token&refresh_token=\(refresh)"))
            #expect(own.status == .ok)
        }
    }

    @Test("guessing a client's secret is throttled, but the client whose secret was proven keeps working")
    func secretGuessing() async throws {
        let fixture = try await ServerFixture(clients: TestClients.all)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            #expect(try await browser.exchange(try await browser.code()).status == .ok)
            let guess = ["grant_type": "refresh_token", "refresh_token": "ptr_x", "client_id": "wiki"]
            var statuses: [HTTPResponse.Status] = []
            for attempt in 0..<6 {
                statuses.append(try await client.form("/token", guess.merging(["client_secret": "guess-\(attempt)"]) { $1 }).status)
            }
            #expect(statuses.prefix(3).allSatisfy { $0 == .unauthorized })
            #expect(statuses.suffix(2).allSatisfy { $0 == .tooManyRequests })
            #expect(try await browser.exchange(try await browser.code()).status == .ok)
        }
    }

    @Test("a client with id_token_alg = RS256 gets RS256 ID tokens, verifiable with the published JWKS, while access tokens stay ES256")
    func perClientAlgorithm() async throws {
        var rs256 = TestClients.wiki
        rs256.idTokenAlgorithm = .rs256
        let wiki = rs256
        let fixture = try await ServerFixture(clients: [wiki])
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let browser = TestBrowser(client)
            let body = try await browser.exchange(try await browser.code(client: wiki)).object
            let idToken = try #require(body["id_token"] as? String)
            let jwks = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            let keys = JWTKeyCollection()
            try await keys.add(jwks: JSONDecoder().decode(JWKS.self, from: Data(jwks.body.readableBytesView)))
            let header = String(data: Data(base64URLEncoded: idToken.split(separator: ".")[0]) ?? Data(), encoding: .utf8) ?? ""
            #expect(header.contains("\"RS256\""))
            struct Claims: JWTPayload {
                var aud: AudienceClaim
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }
            #expect(try await keys.verify(idToken, as: Claims.self).aud.value == ["wiki"])
            let accessHeader = String(
                data: Data(base64URLEncoded: (body["access_token"] as? String ?? "").split(separator: ".")[0]) ?? Data(), encoding: .utf8)
            #expect(accessHeader?.contains("\"ES256\"") == true)
            let metadata = try await client.execute(uri: "/.well-known/openid-configuration", method: .get).object
            #expect(metadata["id_token_signing_alg_values_supported"] as? [String] == ["ES256", "RS256"])
        }
    }
}
