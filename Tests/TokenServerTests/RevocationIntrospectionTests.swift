import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import NIOCore
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer
import TokenStore

@Suite("POST /revoke (RFC 7009) and POST /introspect (RFC 7662)")
struct RevocationIntrospectionTests {
    @Test("revoking a refresh token ends its session: refresh and its access tokens fail")
    func revokeRefreshToken() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let response = try await client.form("/revoke", ["token": tokens.string("refresh_token")])
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let refresh = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(refresh.object.string("error") == "invalid_grant")
            #expect(try await client.bearer("/userinfo", tokens.string("access_token")).status == .unauthorized)
        }
    }

    @Test("revoking an access token, even an expired one, ends its session by sid")
    func revokeAccessToken() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            fixture.clock.advance(by: 600)
            #expect(try await client.form("/revoke", ["token": tokens.string("access_token")]).status == .ok)
            let refresh = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            #expect(refresh.object.string("error") == "invalid_grant")
        }
    }

    @Test("unknown and junk tokens are revoked 'successfully': 200, so revocation cannot probe tokens")
    func revokeUnknown() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client async throws in
            for token in ["junk", "ptr_" + String(repeating: "x", count: 43), "a.b.c"] {
                #expect(try await client.form("/revoke", ["token": token]).status == .ok)
            }
            #expect(try await client.form("/revoke", [:]).status == .badRequest, "a request without token is malformed")
        }
    }

    @Test("introspection: an active access token with claims; inactive after revocation or expiry; refresh tokens never")
    func introspect() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let access = try await client.form("/introspect", ["token": tokens.string("access_token")]).object
            #expect(access["active"] as? Bool == true)
            #expect(access.string("token_type") == "access_token")
            #expect(access.string("sub") == "alice")
            #expect(access["uid"] as? Int == 1000)
            #expect(access["exp"] as? Int == 1_800_000_300)
            // A live refresh token is not introspectable: nothing about its session is revealed.
            #expect(try await client.form("/introspect", ["token": tokens.string("refresh_token")]).text == #"{"active":false}"#)

            let junk = try await client.form("/introspect", ["token": "junk"])
            #expect(junk.status == .ok)
            #expect(junk.text == #"{"active":false}"#)

            fixture.clock.advance(by: 301)
            #expect(try await client.form("/introspect", ["token": tokens.string("access_token")]).object["active"] as? Bool == false)
            _ = try await client.form("/revoke", ["token": tokens.string("refresh_token")])
            #expect(try await client.form("/introspect", ["token": tokens.string("refresh_token")]).text == #"{"active":false}"#)
        }
    }
}
