public import LinuxPAM

/// What the server needs from PAM. A protocol so that HTTP tests run with a fake and only the
/// daemon's wiring knows about `PAMAuthenticator`.
public protocol Authenticator: Sendable {
    /// `pam_authenticate` + `pam_acct_mgmt`. Returns the user name PAM settled on.
    func authenticate(user: String, password: String, remoteHost: String?) async throws(PAMError) -> String
    /// `pam_acct_mgmt` alone.
    func checkAccount(user: String, remoteHost: String?) async throws(PAMError)
    /// Starts a login whose prompts go to a person through `dialog` and returns at once; prompts and
    /// outcome arrive as the dialog's events, and the dialog's `end` is called exactly once.
    func converse(user: String, password: String?, remoteHost: String?, changeExpiredPassword: Bool, dialog: PAMDialog)
}

extension PAMAuthenticator: Authenticator {
    public func authenticate(user: String, password: String, remoteHost: String?) async throws(PAMError) -> String {
        try await authenticate(user: user, password: password, remoteHost: remoteHost).user
    }

    public func checkAccount(user: String, remoteHost: String?) async throws(PAMError) {
        _ = try await checkAccount(user: user, remoteHost: remoteHost) as PAMReport
    }
}
