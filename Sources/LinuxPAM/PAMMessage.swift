/// One message of a PAM conversation: a question for the person (a prompt) or something to show them.
///
/// Modules write these for a terminal, so the text is shown as they wrote it (escaped as plain text
/// on a page): "Password: ", "One-time password (OATH) for `alice': ", "You are required to change
/// your password immediately (administrator enforced)".
public struct PAMMessage: Sendable, Hashable {
    /// What the module wants done with the message (PAM's `msg_style`).
    public enum Kind: String, Sendable, Hashable {
        /// `PAM_PROMPT_ECHO_OFF`: a question whose answer is not shown (a password, a one-time code).
        case secretPrompt = "secret"
        /// `PAM_PROMPT_ECHO_ON`: a question whose answer may be shown as it is typed.
        case textPrompt = "text"
        /// `PAM_TEXT_INFO`: information.
        case info
        /// `PAM_ERROR_MSG`: a complaint ("BAD PASSWORD: it is too short").
        case error
    }

    /// The kind of message.
    public var kind: Kind
    /// The module's text, as it wrote it.
    public var text: String

    /// A message of `kind` with `text`.
    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    /// Whether the module waits for an answer to this message.
    public var isPrompt: Bool { kind == .secretPrompt || kind == .textPrompt }
}
