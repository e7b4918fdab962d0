internal import CPAM

/// One PAM transaction: `pam_start`, the requested steps, and always `pam_end`.
///
/// Blocking and synchronous by nature (modules read files, sleep, talk to daemons); callers run it on
/// ``PAMAuthenticator``'s own threads, never on an event loop or the Swift cooperative pool.
struct PAMTransaction: Sendable {
    /// Which PAM calls to make, in order.
    enum Steps: Sendable {
        /// `pam_authenticate` then `pam_acct_mgmt`: a login.
        case authenticateAndCheckAccount
        /// `pam_acct_mgmt` only: is the account still allowed (expired, locked) without a password?
        case checkAccount
    }

    let service: String
    let user: String
    let remoteHost: String?

    /// Runs the steps. Returns the user name PAM settled on (modules may canonicalise it) and the module
    /// messages, or throws the classified failure.
    func run(_ steps: Steps, password: String?) throws(PAMError) -> PAMReport {
        guard Self.isAcceptable(user), !service.isEmpty, Self.isAcceptable(service) else {
            throw PAMError.invalidInput(.unknownUser)
        }
        if let password, password.utf8.contains(0) || password.utf8.count > 4096 {
            throw PAMError.invalidInput(.badCredentials)
        }
        let conversation = PAMConversation(user: user, password: password)
        defer { conversation.eraseSecret() }

        return try conversation.withPAMConv { conv throws(PAMError) -> PAMReport in
            var handle: OpaquePointer? = nil
            let started = PAMResultCode(rawValue: pam_start(service, user, &conv, &handle))
            guard started == .success, let handle else {
                // pam_start frees what it allocated itself on failure; there is no handle to end.
                throw PAMError(code: started, stage: .start, moduleMessages: conversation.messages)
            }
            var last = PAMResultCode.success
            defer { pam_end(handle, last.rawValue) }

            if let remoteHost {
                _ = pam_set_item(handle, PAM_RHOST, remoteHost)
            }
            _ = cpam_install_fail_delay_hook(handle)

            // Not PAM_SILENT: what modules say ("password expires in 3 days") is worth a log line.
            // PAM_DISALLOW_NULL_AUTHTOK: an account with an empty password never logs in without one.
            let flags = CInt(PAM_DISALLOW_NULL_AUTHTOK)
            if case .authenticateAndCheckAccount = steps {
                last = PAMResultCode(rawValue: pam_authenticate(handle, flags))
                guard last == .success else {
                    var error = PAMError(code: last, stage: .authenticate, moduleMessages: conversation.messages)
                    error.settledUser = Self.currentUser(handle)
                    throw error
                }
            }
            last = PAMResultCode(rawValue: pam_acct_mgmt(handle, flags))
            guard last == .success else {
                var error = PAMError(code: last, stage: .accountManagement, moduleMessages: conversation.messages)
                error.settledUser = Self.currentUser(handle)
                throw error
            }
            return PAMReport(user: Self.currentUser(handle) ?? user, moduleMessages: conversation.messages)
        }
    }

    /// The `PAM_USER` item after the transaction: modules may have mapped the name.
    private static func currentUser(_ handle: OpaquePointer) -> String? {
        var item: UnsafeRawPointer? = nil
        guard pam_get_item(handle, PAM_USER, &item) == PAM_SUCCESS, let item else { return nil }
        return String(cString: item.assumingMemoryBound(to: CChar.self))
    }

    /// PAM takes C strings: a NUL would silently truncate the name, so such input never reaches it.
    private static func isAcceptable(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 256 && !text.utf8.contains(0)
    }
}

/// What a successful PAM transaction reports.
public struct PAMReport: Sendable, Hashable {
    /// The user name as PAM holds it after the transaction (`PAM_USER`).
    public var user: String
    /// `PAM_ERROR_MSG`/`PAM_TEXT_INFO` texts, e.g. "Your password will expire in 3 days".
    public var moduleMessages: [String]
}
