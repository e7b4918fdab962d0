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

@Suite("Admin routes (docs/api.md#admin-routes)")
struct AdminRouteTests {
    @Test("root on the Unix socket lists and revokes anyone's sessions, rotates keys, collects garbage")
    func rootAdmin() async throws {
        let fixture = try await ServerFixture(peer: .unix(uid: 0, gid: 0, pid: 1))
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let alice = try await client.login()
            _ = try await client.login("bob", "builder")
            let all = try await client.execute(uri: "/admin/sessions", method: .get).object["sessions"] as? [[String: Any]]
            #expect(all?.count == 2)
            let mine = try await client.execute(uri: "/admin/sessions?user=bob", method: .get).object["sessions"] as? [[String: Any]]
            #expect(mine?.map { $0.string("user") } == ["bob"])

            let revoked = try await client.form("/admin/revoke", ["user": "alice"])
            #expect(revoked.object["revoked"] as? Int == 1)
            #expect(try await client.bearer("/userinfo", alice.string("access_token")).status == .unauthorized)
            #expect(try await client.form("/admin/revoke", [:]).status == .badRequest)

            let rotated = try await client.form("/admin/keys/rotate", [:]).object["keys"] as? [[String: Any]]
            #expect(rotated?.count == 2)
            #expect(rotated?.first?["active"] as? Bool == true)
            let gc = try await client.form("/admin/gc", [:])
            #expect(gc.status == .ok)
            #expect(gc.object["deleted_rows"] is Int)
            #expect(fixture.logs.all.contains { $0.contains("admin rotated the signing key") && $0.hasPrefix("warning") })
        }
    }

    @Test("an ordinary user on the socket, and anyone over TCP, are refused with 403")
    func refused() async throws {
        for peer in [Peer.unix(uid: 1000, gid: 1000, pid: 5), .tcp(address: "127.0.0.1")] {
            let fixture = try await ServerFixture(peer: peer)
            defer { fixture.cleanUp() }
            try await fixture.test { client in
                for (path, method) in [("/admin/sessions", HTTPRequest.Method.get), ("/admin/keys", .get), ("/admin/keys/rotate", .post)] {
                    let response = try await client.execute(uri: path, method: method)
                    #expect(response.status == .forbidden)
                    #expect(response.object.string("error") == "forbidden")
                }
            }
            #expect(fixture.server.authority.keyRing.current.keys.count == 1, "nothing was rotated")
        }
    }

    @Test("members of admin_group are admins")
    func adminGroup() async throws {
        let fixture = try await ServerFixture(
            peer: .unix(uid: 1000, gid: 1000, pid: 5), settings: .init(failureDelay: .zero, adminGroup: "developers"))
        defer { fixture.cleanUp() }
        try await fixture.test { client async throws in
            #expect(try await client.execute(uri: "/admin/keys", method: .get).status == .ok)
        }
    }
}
