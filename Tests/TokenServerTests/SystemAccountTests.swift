import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TokenCore

@testable import TokenServer

/// Root and service accounts get no token by password or peer credentials unless the operator says so:
/// the daemon must not become an oracle for root's password.
@Suite("System accounts: refused by default, like a wrong password")
struct SystemAccountTests {
    static let daemonUser = UserIdentity(user: "www-data", uid: 33, gid: 33, groups: ["www-data"], name: nil)

    @Test("root's right password is refused with the wrong-password answer, and PAM is never asked")
    func rootRefused() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let root = try await client.form("/token", ["grant_type": "password", "username": "root", "password": "toor"])
            let wrong = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "nope"])
            #expect(root.status == .badRequest)
            #expect(root.text == wrong.text, "the same answer as a wrong password")
            #expect(fixture.pam.calls == 1, "only alice's attempt reached PAM")
        }
    }

    @Test("a system uid (below the first user uid) is refused; allow_system_users lets both in")
    func systemUID() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        fixture.users.set(Self.daemonUser, for: "www-data")
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "password", "username": "www-data", "password": "x"])
            #expect(response.object.string("error") == "invalid_grant")
        }
        let allowing = try await ServerFixture(settings: .init(failureDelay: .zero, peercredGrant: true, allowSystemUsers: true))
        defer { allowing.cleanUp() }
        try await allowing.test { client in
            let response = try await client.form("/token", ["grant_type": "password", "username": "root", "password": "toor"])
            #expect(response.status == .ok)
        }
    }

    @Test("PAM mapping a name to a system account is refused after PAM, too")
    func mappedByPAM() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        // "operator" is unknown to the user database before PAM, and PAM settles on root.
        fixture.pam.alias("operator", to: "root")
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "password", "username": "operator", "password": "toor"])
            #expect(response.status == .badRequest)
            #expect(fixture.pam.calls == 1, "this one PAM did see")
        }
    }

    @Test("the peercred grant refuses system uids unless allowed")
    func peercred() async throws {
        let fixture = try await ServerFixture(peer: .unix(uid: 33, gid: 33, pid: 9))
        defer { fixture.cleanUp() }
        fixture.users.set(Self.daemonUser, for: "www-data")
        try await fixture.test { client in
            let response = try await client.form("/token", ["grant_type": "urn:pamtoken:params:grant-type:peercred"])
            #expect(response.object.string("error") == "unauthorized_client")
        }
    }

    @Test("SYS_UID_MAX of login.defs sets the first user uid; comments and absence leave 1000")
    func loginDefinitions() {
        #expect(LoginDefinitions.parse("SYS_UID_MAX\t499\nUID_MIN 500\n").firstUserUID == 500)
        #expect(LoginDefinitions.parse("#SYS_UID_MAX 999\nUID_MIN 1000\n").firstUserUID == 1000)
        #expect(LoginDefinitions.parse("").firstUserUID == 1000)
        #expect(LoginDefinitions.read(path: "/nonexistent/login.defs").firstUserUID == 1000)
    }
}
