/// Why PAM refused a user, in the categories the daemon has to tell apart.
///
/// A struct over a private enum (as Hummingbird's `PersistError`) so that categories can be added
/// without breaking exhaustive switches elsewhere. The raw ``code`` and the messages modules sent through
/// the conversation are kept for logs; none of them contain the password.
public struct PAMError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case badCredentials
        case unknownUser
        case accountExpired
        case passwordExpired
        case accountLocked
        case moreInputRequired
        case conversationEnded
        case passwordNotChanged
        case systemError
    }

    /// The PAM step that failed.
    public enum Stage: String, Sendable, Hashable {
        case start = "pam_start"
        case authenticate = "pam_authenticate"
        case accountManagement = "pam_acct_mgmt"
        case changePassword = "pam_chauthtok"
        case input = "input"
    }

    private let kind: Kind
    /// The code PAM returned.
    public let code: PAMResultCode
    /// The call that returned it.
    public let stage: Stage
    /// `PAM_ERROR_MSG` and `PAM_TEXT_INFO` texts sent by modules during the transaction.
    public let moduleMessages: [String]
    /// The user name as PAM held it when the transaction failed (`PAM_USER`; modules may map the name
    /// typed), so that callers can count a failure against the account PAM meant. nil before `pam_start`.
    public internal(set) var settledUser: String?

    private init(_ kind: Kind, code: PAMResultCode, stage: Stage, moduleMessages: [String]) {
        self.kind = kind
        self.code = code
        self.stage = stage
        self.moduleMessages = moduleMessages
    }

    /// The password (or another credential) was wrong.
    public static let badCredentials = PAMError(.badCredentials, code: .authError, stage: .authenticate, moduleMessages: [])
    /// PAM does not know the user.
    public static let unknownUser = PAMError(.unknownUser, code: .userUnknown, stage: .authenticate, moduleMessages: [])
    /// The account has expired (`pam_acct_mgmt` → `PAM_ACCT_EXPIRED`).
    public static let accountExpired = PAMError(.accountExpired, code: .accountExpired, stage: .accountManagement, moduleMessages: [])
    /// The password has expired or must be changed before the account may be used.
    public static let passwordExpired = PAMError(
        .passwordExpired, code: .newAuthTokenRequired, stage: .accountManagement, moduleMessages: [])
    /// The account is locked or access is denied by policy (`PAM_PERM_DENIED`, `PAM_MAXTRIES`).
    public static let accountLocked = PAMError(.accountLocked, code: .permissionDenied, stage: .accountManagement, moduleMessages: [])
    /// The stack asked for more than the password a password-only login had (a one-time code, say).
    public static let moreInputRequired = PAMError(
        .moreInputRequired, code: .conversationError, stage: .authenticate, moduleMessages: [])
    /// The person did not answer before the deadline, or their side of the conversation gave up.
    public static let conversationEnded = PAMError(
        .conversationEnded, code: .conversationError, stage: .authenticate, moduleMessages: [])
    /// `pam_chauthtok` refused the new password (too short, the same as the old one, mistyped twice);
    /// ``moduleMessages`` say why in the stack's words.
    public static let passwordNotChanged = PAMError(
        .passwordNotChanged, code: .authTokenError, stage: .changePassword, moduleMessages: [])
    /// PAM itself failed: misconfigured service, unreadable shadow file, a module asking for a kind of input
    /// we cannot give. Not the user's fault; the daemon logs it at error level.
    // swift-format-ignore: DontRepeatTypeInStaticProperties
    // Named for PAM's PAM_SYSTEM_ERR, like the other cases are named for theirs.
    public static let systemError = PAMError(.systemError, code: .systemError, stage: .start, moduleMessages: [])

    /// Classifies a PAM return code. Any failure of `pam_chauthtok` short of a system error is a refused
    /// new password.
    init(code: PAMResultCode, stage: Stage, moduleMessages: [String]) {
        let kind: Kind =
            switch code {
            case .systemError, .bufferError, .serviceError, .openError, .symbolError: .systemError
            case _ where stage == .changePassword: .passwordNotChanged
            case .authError: .badCredentials
            case .userUnknown: .unknownUser
            case .accountExpired: .accountExpired
            case .newAuthTokenRequired, .authTokenExpired: .passwordExpired
            case .permissionDenied, .maxTries: .accountLocked
            default: .systemError
            }
        self.init(kind, code: code, stage: stage, moduleMessages: moduleMessages)
    }

    /// This category, as returned by `stage`, with the messages modules sent.
    public func at(_ stage: Stage, messages: [String]) -> PAMError {
        PAMError(kind, code: code, stage: stage, moduleMessages: messages)
    }

    /// A failure detected before PAM was called (for example a NUL byte in the user name).
    static func invalidInput(_ kind: PAMError) -> PAMError {
        PAMError(kind.kind, code: kind.code, stage: .input, moduleMessages: [])
    }

    /// Whether the failure is the user's (wrong password, unknown, expired, locked) rather than the system's.
    public var isUserFailure: Bool { kind != .systemError }

    /// Compares the category only, so `error ~= .badCredentials` works whatever the stage and messages.
    public static func == (lhs: PAMError, rhs: PAMError) -> Bool { lhs.kind == rhs.kind }
    public func hash(into hasher: inout Hasher) { hasher.combine(kind) }

    /// A short stable name for the category, for logs and metrics labels.
    public var category: String {
        switch kind {
        case .badCredentials: "bad_credentials"
        case .unknownUser: "unknown_user"
        case .accountExpired: "account_expired"
        case .passwordExpired: "password_expired"
        case .accountLocked: "account_locked"
        case .moreInputRequired: "more_input_required"
        case .conversationEnded: "conversation_ended"
        case .passwordNotChanged: "password_not_changed"
        case .systemError: "system_error"
        }
    }

    public var description: String {
        var text = "\(category): \(stage.rawValue) returned \(code)"
        if !moduleMessages.isEmpty {
            text += "; module said: " + moduleMessages.joined(separator: " | ")
        }
        return text
    }
}
