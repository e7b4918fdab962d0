import Foundation
import HTTPTypes
import TestSupport
import Testing
import TokenAuthority
import TokenCore
import TokenServer

/// A web page on this machine's browser must not be able to use the daemon: neither by rebinding its
/// own DNS name to 127.0.0.1 (the request then names the page's host) nor by posting across origins.
@Suite("DNS rebinding and cross-site requests to loopback TCP")
struct RequestOriginTests {
    static func login(host: String, extra: String = "") -> String {
        let body = "grant_type=password&username=alice&password=wonderland"
        return "POST /token HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\(extra)"
            + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    @Test("over TCP: a foreign Host is 421, a foreign Origin or Sec-Fetch-Site: cross-site is 403, and no token is issued")
    func refused() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live in
            let tcp = RawHTTP.Destination.tcp(port: live.tcpPort)
            let rebound = try await RawHTTP.exchange(
                Self.login(host: "rebind.attacker.example", extra: "Origin: http://rebind.attacker.example\r\n"), to: tcp)
            #expect(rebound.status == 421, "\(rebound)")
            #expect(!rebound.body.contains("access_token"))
            let rebindNoOrigin = try await RawHTTP.exchange(Self.login(host: "rebind.attacker.example:8719"), to: tcp)
            #expect(rebindNoOrigin.status == 421)
            let crossOrigin = try await RawHTTP.exchange(Self.login(host: "127.0.0.1", extra: "Origin: https://evil.example\r\n"), to: tcp)
            #expect(crossOrigin.status == 403, "\(crossOrigin)")
            #expect(crossOrigin.body.contains("cross-origin"))
            let nullOrigin = try await RawHTTP.exchange(Self.login(host: "127.0.0.1", extra: "Origin: null\r\n"), to: tcp)
            #expect(nullOrigin.status == 403)
            let crossSite = try await RawHTTP.exchange(Self.login(host: "localhost", extra: "Sec-Fetch-Site: cross-site\r\n"), to: tcp)
            #expect(crossSite.status == 403)
            let noHost = try await RawHTTP.exchange("GET /healthz HTTP/1.0\r\n\r\n", to: tcp)
            #expect(noHost.status == 400)
            for odd in ["localhost:80@evil.example", "localhost:abc", "localhost..", "[::1]x", "127.0.0.1/x"] {
                let reply = try await RawHTTP.exchange(Self.login(host: odd), to: tcp)
                #expect(reply.status == 400 || reply.status == 421, "\(odd): \(reply)")
            }
            #expect(fixture.pam.calls == 0, "PAM was never asked")
        }
    }

    @Test(
        "over TCP: loopback literals, localhost, the issuer's host and origin are served",
        arguments: [
            ("127.0.0.1", ""), ("127.0.0.1:8719", ""), ("LOCALHOST.", ""), ("localhost:8719", ""), ("[::1]:8719", ""),
            ("127.0.0.2", "Origin: http://127.0.0.1:8719\r\n"), ("127.0.0.1", "Sec-Fetch-Site: same-origin\r\n"),
        ])
    func served(host: String, extra: String) async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live in
            let reply = try await RawHTTP.exchange(Self.login(host: host, extra: extra), to: .tcp(port: live.tcpPort))
            #expect(reply.status == 200, "\(reply)")
        }
    }

    @Test("reads are left to the same-origin policy: a proxy's GET /auth carrying the browser's Origin passes")
    func readsPass() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live in
            let login = try await RawHTTP.exchange(Self.login(host: "127.0.0.1"), to: .tcp(port: live.tcpPort))
            let token = try #require(login.body.split(separator: "\"").drop { $0 != "access_token" }.dropFirst(2).first)
            let auth =
                "GET /auth HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer \(token)\r\n"
                + "Origin: https://app.example\r\nSec-Fetch-Site: cross-site\r\n\r\n"
            let reply = try await RawHTTP.exchange(auth, to: .tcp(port: live.tcpPort))
            #expect(reply.status == 204, "\(reply)")
            let rebound = auth.replacingOccurrences(of: "Host: localhost", with: "Host: rebind.attacker.example")
            #expect(try await RawHTTP.exchange(rebound, to: .tcp(port: live.tcpPort)).status == 421)
        }
    }

    @Test("the Unix socket is exempt: a browser cannot open one")
    func unixSocketExempt() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { live in
            let reply = try await RawHTTP.exchange(
                Self.login(host: "anything.example", extra: "Origin: https://evil.example\r\n"), to: .unix(path: live.socketPath))
            #expect(reply.status == 200, "\(reply)")
        }
    }

    @Test("allowed_hosts and allowed_origins extend what TCP requests may name")
    func allowLists() async throws {
        let fixture = try await ServerFixture(
            originPolicy: RequestOriginPolicy(
                issuer: "https://auth.example.com/pamtoken", allowedHosts: ["proxy.internal"], allowedOrigins: ["https://app.example.com"]))
        defer { fixture.cleanUp() }
        try await LiveServer.run(fixture) { (live) async throws in
            func status(_ host: String, _ extra: String = "") async throws -> Int? {
                try await RawHTTP.exchange(Self.login(host: host, extra: extra), to: .tcp(port: live.tcpPort)).status
            }
            #expect(try await status("auth.example.com") == 200)
            #expect(try await status("Proxy.Internal:443") == 200)
            #expect(try await status("other.internal") == 421)
            #expect(try await status("auth.example.com", "Origin: https://app.example.com\r\nSec-Fetch-Site: cross-site\r\n") == 200)
            #expect(try await status("auth.example.com", "Origin: https://AUTH.example.com:443\r\n") == 200)
            #expect(try await status("auth.example.com", "Origin: https://app.example.com:8443\r\n") == 403)
        }
    }
}
