import Testing

@testable import LinuxPAM

@Suite("PAM result codes and error categories")
struct PAMErrorTests {
    @Test(
        "codes are classified into the categories the daemon distinguishes",
        arguments: [
            (PAMResultCode.authError, PAMError.badCredentials),
            (.userUnknown, .unknownUser),
            (.accountExpired, .accountExpired),
            (.newAuthTokenRequired, .passwordExpired),
            (.authTokenExpired, .passwordExpired),
            (.permissionDenied, .accountLocked),
            (.maxTries, .accountLocked),
            (.authInfoUnavailable, .systemError),
            (.serviceError, .systemError),
            (.conversationError, .systemError),
        ])
    func classification(code: PAMResultCode, expected: PAMError) {
        let error = PAMError(code: code, stage: .authenticate, moduleMessages: [])
        #expect(error == expected)
        #expect(error.code == code)
        #expect(error.isUserFailure == (expected != .systemError))
    }

    @Test("descriptions carry the C name and libpam's own text")
    func descriptions() {
        #expect(PAMResultCode.authError.name == "PAM_AUTH_ERR")
        #expect(PAMResultCode.authError.message == "Authentication failure")
        #expect(PAMResultCode(rawValue: 999).name == "PAM code 999")
        let error = PAMError(code: .accountExpired, stage: .accountManagement, moduleMessages: ["Your account has expired"])
        #expect(
            error.description
                == "account_expired: pam_acct_mgmt returned PAM_ACCT_EXPIRED (User account has expired); module said: Your account has expired")
    }

    @Test("a NUL byte never reaches PAM: it would silently truncate the C string")
    func nulBytes() async {
        let authenticator = PAMAuthenticator(service: "pamtoken-test", threads: 1)
        await #expect(throws: PAMError.unknownUser) { try await authenticator.authenticate(user: "alice\0root", password: "x") }
        await #expect(throws: PAMError.badCredentials) { try await authenticator.authenticate(user: "alice", password: "pw\0x") }
        await #expect(throws: PAMError.unknownUser) { try await authenticator.authenticate(user: "", password: "x") }
        await authenticator.shutdown()
    }

    @Test("after shutdown, calls fail as a system error instead of hanging")
    func afterShutdown() async {
        let authenticator = PAMAuthenticator(service: "pamtoken-test", threads: 1)
        await authenticator.shutdown()
        await #expect(throws: PAMError.systemError) { try await authenticator.checkAccount(user: "alice") }
    }
}
