import Foundation
import Testing

/// The PAM binding against real libpam and modules, through pam_wrapper + pam_matrix.
@Suite(.enabled(if: PAMWrapperHarness.isAvailable, "needs libpam-wrapper"), .serialized)
struct PAMAuthenticationTests {
    let harness: PAMWrapperHarness

    init() throws {
        harness = try PAMWrapperHarness(users: [
            "alice:correct horse:pamtoken-test",
            "bob:hunter2:pamtoken-deny",
            "carol:s3cret:pamtoken-verbose",
        ])
    }

    @Test("the right password passes pam_authenticate and pam_acct_mgmt")
    func success() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-test", user: "alice", password: "correct horse")
        #expect(outcome.status == 0)
        #expect(outcome.lines.first == "ok alice")
    }

    @Test("a wrong password is bad credentials")
    func wrongPassword() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-test", user: "alice", password: "wrong")
        #expect(outcome.status == 1)
        #expect(outcome.lines.first?.hasPrefix("refused bad_credentials: pam_authenticate returned PAM_AUTH_ERR") == true)
    }

    @Test("an empty password is refused, not treated as 'no password'")
    func emptyPassword() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-test", user: "alice", password: "")
        #expect(outcome.status == 1)
        #expect(outcome.lines.first?.hasPrefix("refused ") == true)
    }

    @Test("a user PAM does not know is refused")
    func unknownUser() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-test", user: "mallory", password: "anything")
        #expect(outcome.status == 1)
        // pam_matrix, like Debian's common-auth stack, answers PAM_AUTH_ERR for an unknown user: the
        // caller cannot tell "no such user" from "wrong password", which is what we want clients to see.
        #expect(outcome.lines.first?.hasPrefix("refused bad_credentials: pam_authenticate returned PAM_AUTH_ERR") == true)
    }

    @Test("an account refused by pam_acct_mgmt fails at the account stage even with the right password")
    func accountRefused() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-deny", user: "bob", password: "hunter2")
        #expect(outcome.status == 1)
        let line = outcome.lines.first ?? ""
        #expect(line.contains("pam_acct_mgmt returned"), "\(line)")
        #expect(!line.hasPrefix("refused system_error"), "\(line)")
    }

    @Test("checkAccount runs pam_acct_mgmt alone, without a password")
    func accountOnly() async throws {
        defer { harness.cleanUp() }
        let allowed = try await harness.check(service: "pamtoken-test", user: "alice", password: nil)
        #expect(allowed.status == 0)
        #expect(allowed.lines.first == "ok alice")
        let denied = try await harness.check(service: "pamtoken-deny", user: "bob", password: nil)
        #expect(denied.status == 1)
        #expect(denied.lines.first?.contains("pam_acct_mgmt") == true)
    }

    @Test("messages modules send through the conversation are collected")
    func moduleMessages() async throws {
        defer { harness.cleanUp() }
        // pam_matrix sends these with no response array at all, which the conversation must accept.
        let success = try await harness.check(service: "pamtoken-verbose", user: "carol", password: "s3cret")
        #expect(success.status == 0)
        #expect(success.lines == ["ok carol", "message: Authentication succeeded"])
        let failure = try await harness.check(service: "pamtoken-verbose", user: "carol", password: "wrong")
        #expect(failure.status == 1)
        #expect(failure.lines.first?.hasSuffix("module said: Authentication failed") == true)
    }

    @Test("transactions run concurrently on the pool's threads, each with its own conversation")
    func concurrent() async throws {
        defer { harness.cleanUp() }
        let outcome = try await harness.check(
            service: "pamtoken-test", user: "alice", password: "correct horse", arguments: ["--repeat", "16"])
        #expect(outcome.status == 0)
        #expect(outcome.lines.filter { $0 == "ok alice" }.count == 16)
    }
}
