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
        /// A login, and when `pam_acct_mgmt` says the password must be changed (`PAM_NEW_AUTHTOK_REQD`),
        /// `pam_chauthtok(PAM_CHANGE_EXPIRED_AUTHTOK)` with the person's answers: a login at a terminal.
        case authenticateChangingExpiredPassword
    }

    let service: String
    let user: String
    let remoteHost: String?

    /// Runs the steps. Returns the user name PAM settled on (modules may canonicalise it) and the module
    /// messages, or throws the classified failure.
    func run(_ steps: Steps, password: String?) throws(PAMError) -> PAMReport {
        try run(steps, password: password) { PAMConversation(user: user, password: password) }
    }

    /// Runs the steps with the person answering through `dialog` (`password`, when given, answers the
    /// first echo-off prompt).
    func run(_ steps: Steps, password: String?, dialog: PAMDialog) throws(PAMError) -> PAMReport {
        try run(steps, password: password) { PAMConversation(user: user, dialog: dialog, firstAnswer: password) }
    }

    private func run(_ steps: Steps, password: String?, conversation make: () -> PAMConversation) throws(PAMError) -> PAMReport {
        guard Self.isAcceptable(user), !service.isEmpty, Self.isAcceptable(service) else {
            throw PAMError.invalidInput(.unknownUser)
        }
        if let password, password.utf8.contains(0) || password.utf8.count > 4096 {
            throw PAMError.invalidInput(.badCredentials)
        }
        let conversation = make()
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
            // What modules say while changing the password is the reason a change was refused.
            var changeStartedAt = 0
            func failure(_ stage: PAMError.Stage) -> PAMError {
                var said = conversation.messages
                if stage == .changePassword {
                    // Why the change was refused: the complaints (error messages) modules made while
                    // changing it — not "Changing password for alice." — or else PAM's text for the code.
                    let complaints = conversation.notes.dropFirst(changeStartedAt).filter { $0.kind == .error }.map(\.text)
                    said = complaints.isEmpty ? [last.message] : complaints
                }
                var error = PAMError(code: last, stage: stage, moduleMessages: said)
                if conversation.needsMoreInput {
                    error = PAMError.moreInputRequired.at(stage, messages: said)
                } else if conversation.dialogClosed {
                    error = PAMError.conversationEnded.at(stage, messages: said)
                }
                error.settledUser = Self.currentUser(handle)
                return error
            }
            if steps != .checkAccount {
                last = PAMResultCode(rawValue: pam_authenticate(handle, flags))
                guard last == .success else { throw failure(.authenticate) }
            }
            last = PAMResultCode(rawValue: pam_acct_mgmt(handle, flags))
            var changed = false
            if last == .newAuthTokenRequired, steps == .authenticateChangingExpiredPassword {
                // As sshd and login(1) do: the change is part of the login, and its prompts the person's.
                changeStartedAt = conversation.messages.count
                last = PAMResultCode(rawValue: pam_chauthtok(handle, CInt(PAM_CHANGE_EXPIRED_AUTHTOK)))
                guard last == .success else { throw failure(.changePassword) }
                changed = true
            }
            guard last == .success else { throw failure(.accountManagement) }
            return PAMReport(
                user: Self.currentUser(handle) ?? user, moduleMessages: conversation.messages, notes: conversation.notes, passwordChanged: changed)
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
    /// The same messages with their kinds (information or error), for a person to read.
    public var notes: [PAMMessage]
    /// Whether the expired password was changed (`pam_chauthtok`) during the login.
    public var passwordChanged: Bool

    /// A report of a transaction that settled on `user`.
    public init(user: String, moduleMessages: [String] = [], notes: [PAMMessage] = [], passwordChanged: Bool = false) {
        self.user = user
        self.moduleMessages = moduleMessages
        self.notes = notes
        self.passwordChanged = passwordChanged
    }
}
