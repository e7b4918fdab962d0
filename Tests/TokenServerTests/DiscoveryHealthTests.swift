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

@Suite("Discovery, JWKS, health and metrics")
struct DiscoveryHealthTests {
    @Test("both metadata documents describe the endpoints under the issuer (RFC 8414)")
    func metadata() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .ok)
                let body = response.object
                #expect(body.string("issuer") == "http://127.0.0.1:8719")
                #expect(body.string("token_endpoint") == "http://127.0.0.1:8719/token")
                #expect(body.string("jwks_uri") == "http://127.0.0.1:8719/.well-known/jwks.json")
                #expect(body.string("revocation_endpoint") == "http://127.0.0.1:8719/revoke")
                #expect(body.string("introspection_endpoint") == "http://127.0.0.1:8719/introspect")
                #expect(body.string("userinfo_endpoint") == "http://127.0.0.1:8719/userinfo")
                #expect((body["grant_types_supported"] as? [String])?.contains("refresh_token") == true)
                #expect(body["token_endpoint_auth_methods_supported"] as? [String] == ["client_secret_basic", "client_secret_post", "none"])
                #expect(body.string("authorization_endpoint") == "http://127.0.0.1:8719/authorize")
                #expect(body.string("end_session_endpoint") == "http://127.0.0.1:8719/end_session")
                #expect(body["response_types_supported"] as? [String] == ["code"])
                #expect(body["subject_types_supported"] as? [String] == ["public"])
            }
        }
    }

    @Test("the JWKS verifies the tokens the daemon issues, and follows a key rotation at once")
    func jwks() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            let jwks = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            #expect(jwks.status == .ok)
            let keys = try await VerificationKeys.fromJWKS(Data(jwks.body.readableBytesView), algorithm: .es256)
            let relyingParty = TokenVerifier(issuer: fixture.policy.issuer, audiences: ["pamtoken"], clock: fixture.clock) { keys }
            #expect(try await relyingParty.verify(tokens.string("access_token")).sub.value == "alice")

            try await fixture.server.authority.keyRing.rotate()
            let rotated = try await client.execute(uri: "/.well-known/jwks.json", method: .get).object["keys"] as? [[String: Any]]
            #expect(rotated?.count == 2)
        }
    }

    @Test("healthz reports ok while the database answers")
    func healthz() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok"}"#)
        }
    }

    @Test("HEAD answers every GET route like GET without the body; 405 lists HEAD beside GET")
    func head() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            for path in ["/healthz", "/.well-known/jwks.json", "/.well-known/openid-configuration", "/openapi.yaml"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0)
                #expect(head.headers[.contentType] == get.headers[.contentType])
            }
            let unauthorized = try await client.execute(uri: "/userinfo", method: .head)
            #expect(unauthorized.status == .unauthorized)
            let wrong = try await client.execute(uri: "/healthz", method: .put)
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, HEAD")
        }
    }

    @Test("metrics expose logins, rotations, reuse detections, requests by route and status, active sessions")
    func metrics() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let tokens = try await client.login()
            _ = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "bad"])
            _ = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            _ = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": tokens.string("refresh_token")])
            _ = try await client.login()
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains(#"pamtoken_logins_total{result="ok"} 2"#))
            #expect(text.contains(#"pamtoken_logins_total{result="failed"} 1"#))
            #expect(text.contains("pamtoken_refresh_rotations_total 1"))
            #expect(text.contains("pamtoken_refresh_reuse_detections_total 1"))
            #expect(text.contains(#"pamtoken_http_requests_total{route="/token",status="200"} 3"#), "\(text)")
            #expect(text.contains("pamtoken_active_sessions 1"))
            #expect(text.contains("pamtoken_pam_duration_seconds_bucket"))
            #expect(text.contains(#"pamtoken_http_request_duration_seconds_count{route="/token"} 5"#), "\(text)")
            #expect(text.contains(#"pamtoken_build_info{version=""#))
            for name in [
                "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds", "process_max_fds", "process_start_time_seconds",
            ] {
                let value = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
                #expect((value ?? 0) > 0, "\(name)")
            }
        }
    }
}

@Suite("Error shapes: 404, 405, 413 as JSON, never 500")
struct ErrorShapeTests {
    @Test("an unknown path is 404 with a JSON error body")
    func notFound() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.object.string("error") == "not_found")
        }
    }

    @Test("a known path with the wrong method is 405 with Allow")
    func methodNotAllowed() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let response = try await client.execute(uri: "/token", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "POST")
            #expect(response.object.string("error") == "method_not_allowed")
            #expect(try await client.execute(uri: "/sessions/abc", method: .get).status == .methodNotAllowed)
        }
    }

    @Test("a body over 16 KiB is 413")
    func tooLarge() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let body = "grant_type=password&username=alice&password=" + String(repeating: "x", count: 17 * 1024)
            let response = try await client.execute(
                uri: "/token", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: body))
            #expect(response.status == .contentTooLarge)
            #expect(response.object.string("error") == "invalid_request")
        }
    }
}
