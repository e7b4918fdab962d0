import LinuxPAM

/// A PAM message as the login page shows it: the kind of field it needs, and what a browser or password
/// manager should offer to fill it with.
struct PAMPromptView: Sendable, Equatable {
    let text: String
    let isSecret: Bool
    let isError: Bool

    init(_ message: PAMMessage) {
        text = message.text
        isSecret = message.kind == .secretPrompt
        isError = message.kind == .error
    }

    /// The `autocomplete` token: PAM gives no machine-readable purpose, so it is read off the
    /// module's words. A wrong guess only changes what a password manager offers.
    var autocomplete: String {
        let words = text.lowercased()
        let code = ["one-time", "code", "otp", "token", "verification"].contains { words.contains($0) }
        guard words.contains("password"), !code else { return isSecret ? "one-time-code" : "off" }
        if words.contains("new") { return "new-password" }
        return "current-password"
    }
}
