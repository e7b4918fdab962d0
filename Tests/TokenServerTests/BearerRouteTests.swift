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

@Suite("Bearer routes: /userinfo, /sessions, /auth (docs/api.md#user-routes, RFC 6750)")
struct BearerRouteTests {
    @Test("userinfo answers the token's user from the system user database")
    func userinfo() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let response = try await client.bearer("/userinfo", tokens.string("access_token"))
            #expect(response.status == .ok)
            let body = response.object
            #expect(body.string("sub") == "alice")
            #expect(body["uid"] as? Int == 1000)
            #expect(body["gid"] as? Int == 1000)
            #expect(body["groups"] as? [String] == ["alice", "developers"])
            #expect(body.string("name") == "Alice Liddell")
        }
    }

    @Test("no token, a bad scheme or a bad token: 401 with WWW-Authenticate and no IS-TOKEN-EXPIRED")
    func missingOrBad() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let responses = [
                try await client.execute(uri: "/userinfo", method: .get),
                try await client.execute(uri: "/userinfo", method: .get, headers: [.authorization: "Basic YWxpY2U6eA=="]),
                try await client.bearer("/userinfo", "not.a.token"),
                try await client.bearer("/userinfo", "ptr_" + String(repeating: "A", count: 43)),
            ]
            for response in responses {
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer error=\"invalid_token\", error_description=\"") == true)
                #expect(response.headers[.isTokenExpired] == nil)
                #expect(response.object.string("error") == "invalid_token")
            }
        }
    }

    @Test("a token whose alg holds quotes or non-ASCII cannot break out of WWW-Authenticate's quoted string")
    func headerInjection() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let header = Data(#"{"alg":"x\",scope=\"admin\\é","typ":"at+jwt"}"#.utf8).base64URLEncodedString()
            let response = try await client.bearer("/userinfo", "\(header).e30.c2ln")
            #expect(response.status == .unauthorized)
            let challenge = response.headers[.wwwAuthenticate] ?? ""
            #expect(challenge.hasPrefix("Bearer error=\"invalid_token\", error_description=\""))
            #expect(challenge.filter { $0 == "\"" }.count == 4, "\(challenge)")
            #expect(!challenge.contains("\\"))
            #expect(challenge.unicodeScalars.allSatisfy { $0.isASCII })
        }
    }

    @Test("an expired token gets IS-TOKEN-EXPIRED: true, the tutorial's signal to refresh")
    func expired() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            fixture.clock.advance(by: 301)
            let response = try await client.bearer("/userinfo", tokens.string("access_token"))
            #expect(response.status == .unauthorized)
            #expect(response.headers[.isTokenExpired] == "true")
            #expect(response.headers[.wwwAuthenticate]?.contains("expired") == true)
        }
    }

    @Test("sessions lists the caller's own active sessions; DELETE revokes one, and only one's own")
    func sessions() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let first = try await client.login()
            let second = try await client.login()
            let bob = try await client.login("bob", "builder")
            let list = try await client.bearer("/sessions", second.string("access_token"))
            #expect(list.status == .ok)
            let sessions = list.object["sessions"] as? [[String: Any]] ?? []
            #expect(sessions.count == 2)
            #expect(sessions.allSatisfy { $0.string("user") == "alice" && $0.string("peer") == "uid 1000 pid 4242" })
            #expect(sessions.filter { $0["current"] as? Bool == true }.count == 1)
            #expect(sessions.first?["created_at"] is Int)

            let bobSessions = try await client.bearer("/sessions", bob.string("access_token")).object["sessions"] as? [[String: Any]] ?? []
            let bobID = bobSessions.first?.string("id") ?? ""
            let foreign = try await client.bearer("/sessions/\(bobID)", first.string("access_token"), method: .delete)
            #expect(foreign.status == .notFound, "another user's session looks like a missing one")

            let firstID = sessions.first { $0["current"] as? Bool != true }?.string("id") ?? ""
            let revoked = try await client.bearer("/sessions/\(firstID)", second.string("access_token"), method: .delete)
            #expect(revoked.status == .noContent)
            #expect(try await client.bearer("/userinfo", first.string("access_token")).status == .unauthorized)
            #expect(try await client.bearer("/userinfo", second.string("access_token")).status == .ok)
        }
    }

    @Test("/auth answers 204 with the user headers, enforces ?group=, and refuses revoked sessions")
    func forwardAuth() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let token = tokens.string("access_token")
            let ok = try await client.bearer("/auth", token)
            #expect(ok.status == .noContent)
            #expect(ok.headers[.authUser] == "alice")
            #expect(ok.headers[.authUID] == "1000")
            #expect(ok.headers[.authGroups] == "alice,developers")
            #expect(try await client.bearer("/auth?group=developers", token).status == .noContent)
            #expect(try await client.bearer("/auth?group=wheel", token).status == .forbidden)
            #expect(try await client.execute(uri: "/auth", method: .get).status == .unauthorized)

            _ = try await client.form("/revoke", ["token": tokens.string("refresh_token")])
            #expect(try await client.bearer("/auth", token).status == .unauthorized)
        }
    }
}

extension HTTPField.Name {
    static let isTokenExpired = HTTPField.Name("IS-TOKEN-EXPIRED")!
    static let pragma = HTTPField.Name("Pragma")!
    static let authUser = HTTPField.Name("X-Auth-User")!
    static let authUID = HTTPField.Name("X-Auth-Uid")!
    static let authGroups = HTTPField.Name("X-Auth-Groups")!
}
