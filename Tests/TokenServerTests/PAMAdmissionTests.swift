import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TokenAuthority

/// Logins and account checks are admitted apart: a flood of password logins fills its own threads
/// and queue, and the refreshes that need `pam_acct_mgmt` still get theirs.
@Suite("PAM admission: logins and refreshes apart")
struct PAMAdmissionTests {
    @Test("with the login threads and queue full, a second login gets 429 and a refresh still succeeds")
    func refreshWhileLoginsQueue() async throws {
        let settings = Authority.Settings(failureDelay: .zero, pamThreads: 1, pamLoginThreads: 1, pamQueueLimit: 0)
        let fixture = try await ServerFixture(settings: settings)
        defer { fixture.cleanUp() }
        try await fixture.test { client in
            let refreshToken = try #require(try await client.login()["refresh_token"] as? String)
            let gate = AuthenticationGate()
            fixture.pam.hold(at: gate)
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                group.addTask {
                    try await client.form("/token", ["grant_type": "password", "username": "bob", "password": "builder"]).status
                }
                var arrivals = gate.arrivals.makeAsyncIterator()
                _ = await arrivals.next()  // the first login holds the only login thread

                let second = try await client.form("/token", ["grant_type": "password", "username": "alice", "password": "wonderland"])
                #expect(second.status == .tooManyRequests)
                let refresh = try await client.form("/token", ["grant_type": "refresh_token", "refresh_token": refreshToken])
                #expect(refresh.status == .ok, "\(refresh.text)")

                gate.open()
                #expect(try await group.next() == .ok)
            }
        }
    }
}
