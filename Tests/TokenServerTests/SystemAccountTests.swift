import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing
import TokenCore
import TokenServer

@testable import TokenAuthority

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

    @Test("a session begun while system accounts were allowed ends at its next refresh once they are not")
    func refreshAfterTheRuleChanged() async throws {
        let before = try await ServerFixture(settings: .init(failureDelay: .zero, allowSystemUsers: true))
        defer { before.cleanUp() }
        let refreshToken = Mutex("")
        try await before.test { client in
            let token = try await client.login("root", "toor").string("refresh_token")
            refreshToken.withLock { $0 = token }
        }
        let after = try await ServerFixture(sharingStateWith: before)
        try await after.test { client in
            let token = refreshToken.withLock { $0 }
            let response = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": token])
            #expect(response.object.string("error") == "invalid_grant")
        }
        #expect(after.logs.all.contains { $0.contains("session revoked at refresh") && $0.contains("system account") })
    }

    @Test("systemd's dynamic users and the no-uid values are system accounts; directory users with large uids are not")
    func uidRanges() async throws {
        let fixture = try await ServerFixture()
        defer { fixture.cleanUp() }
        let authority = fixture.server.authority
        #expect(!authority.mayLogIn(uid: 61184) && !authority.mayLogIn(uid: 65519) && !authority.mayLogIn(uid: 65534))
        #expect(!authority.mayLogIn(uid: 4_294_967_294) && !authority.mayLogIn(uid: 999) && !authority.mayLogIn(uid: 0))
        #expect(authority.mayLogIn(uid: 1000) && authority.mayLogIn(uid: 60000) && authority.mayLogIn(uid: 1_668_400_001))
    }

    @Test("SYS_UID_MAX of login.defs sets the first user uid; comments and absence leave 1000")
    func loginDefinitions() {
        #expect(LoginDefinitions.parse("SYS_UID_MAX\t499\nUID_MIN 500\n").firstUserUID == 500)
        #expect(LoginDefinitions.parse("#SYS_UID_MAX 999\nUID_MIN 1000\n").firstUserUID == 1000)
        #expect(LoginDefinitions.parse("").firstUserUID == 1000)
        #expect(LoginDefinitions.read(path: "/nonexistent/login.defs").firstUserUID == 1000)
    }
}
