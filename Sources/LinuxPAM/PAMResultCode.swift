internal import CPAM

/// A Linux-PAM return code (`PAM_SUCCESS`, `PAM_AUTH_ERR`, …).
///
/// A struct over the raw `CInt` rather than an enum, like GRDB's `ResultCode`: PAM modules may return
/// codes this file does not name, and they must survive the trip to a log line intact.
public struct PAMResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: CInt

    public init(rawValue: CInt) {
        self.rawValue = rawValue
    }

    public static let success = PAMResultCode(rawValue: PAM_SUCCESS)
    public static let openError = PAMResultCode(rawValue: PAM_OPEN_ERR)
    public static let symbolError = PAMResultCode(rawValue: PAM_SYMBOL_ERR)
    public static let serviceError = PAMResultCode(rawValue: PAM_SERVICE_ERR)
    public static let systemError = PAMResultCode(rawValue: PAM_SYSTEM_ERR)
    public static let bufferError = PAMResultCode(rawValue: PAM_BUF_ERR)
    public static let permissionDenied = PAMResultCode(rawValue: PAM_PERM_DENIED)
    public static let authError = PAMResultCode(rawValue: PAM_AUTH_ERR)
    public static let credentialsInsufficient = PAMResultCode(rawValue: PAM_CRED_INSUFFICIENT)
    public static let authInfoUnavailable = PAMResultCode(rawValue: PAM_AUTHINFO_UNAVAIL)
    public static let userUnknown = PAMResultCode(rawValue: PAM_USER_UNKNOWN)
    public static let maxTries = PAMResultCode(rawValue: PAM_MAXTRIES)
    public static let newAuthTokenRequired = PAMResultCode(rawValue: PAM_NEW_AUTHTOK_REQD)
    public static let accountExpired = PAMResultCode(rawValue: PAM_ACCT_EXPIRED)
    public static let authTokenExpired = PAMResultCode(rawValue: PAM_AUTHTOK_EXPIRED)
    public static let conversationError = PAMResultCode(rawValue: PAM_CONV_ERR)
    public static let authTokenError = PAMResultCode(rawValue: PAM_AUTHTOK_ERR)
    public static let abort = PAMResultCode(rawValue: PAM_ABORT)

    /// The C constant's name, for logs that an administrator can grep PAM's documentation for.
    public var name: String {
        switch self {
        case .success: "PAM_SUCCESS"
        case .openError: "PAM_OPEN_ERR"
        case .symbolError: "PAM_SYMBOL_ERR"
        case .serviceError: "PAM_SERVICE_ERR"
        case .systemError: "PAM_SYSTEM_ERR"
        case .bufferError: "PAM_BUF_ERR"
        case .permissionDenied: "PAM_PERM_DENIED"
        case .authError: "PAM_AUTH_ERR"
        case .credentialsInsufficient: "PAM_CRED_INSUFFICIENT"
        case .authInfoUnavailable: "PAM_AUTHINFO_UNAVAIL"
        case .userUnknown: "PAM_USER_UNKNOWN"
        case .maxTries: "PAM_MAXTRIES"
        case .newAuthTokenRequired: "PAM_NEW_AUTHTOK_REQD"
        case .accountExpired: "PAM_ACCT_EXPIRED"
        case .authTokenExpired: "PAM_AUTHTOK_EXPIRED"
        case .conversationError: "PAM_CONV_ERR"
        case .authTokenError: "PAM_AUTHTOK_ERR"
        case .abort: "PAM_ABORT"
        default: "PAM code \(rawValue)"
        }
    }

    /// Linux-PAM's own text for the code (`pam_strerror`). Linux-PAM does not use the handle argument,
    /// so the text is available even when `pam_start` itself failed.
    public var message: String {
        guard let text = pam_strerror(nil, rawValue) else { return name }
        return String(cString: text)
    }

    public var description: String { "\(name) (\(message))" }
}
