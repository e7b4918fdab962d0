/// `POST /conversation`'s answer while PAM asks something (docs/api.md#conversation-endpoint): the
/// prompt to show, what modules said before it, and the handle to answer with. When PAM has finished
/// the endpoint answers a ``TokenResponse`` instead.
public struct ConversationPrompt: Codable, Sendable, Equatable {
    /// The single-use handle (`pcv_…`) to send with the answer.
    public var conversation: String
    /// The question, in the PAM module's words; its `type` is `secret` (do not echo) or `text`.
    public var prompt: ConversationMessage
    /// Information and error messages modules sent before the prompt, to show first.
    public var messages: [ConversationMessage]
    /// Seconds left to answer; then the PAM transaction ends as a failure.
    public var expiresIn: Int

    /// A value with every member given, as the daemon builds it.
    public init(conversation: String, prompt: ConversationMessage, messages: [ConversationMessage], expiresIn: Int) {
        self.conversation = conversation
        self.prompt = prompt
        self.messages = messages
        self.expiresIn = expiresIn
    }

    enum CodingKeys: String, CodingKey {
        case conversation, prompt, messages
        case expiresIn = "expires_in"
    }
}

/// One message of a PAM conversation on the wire.
public struct ConversationMessage: Codable, Sendable, Equatable {
    /// `secret` or `text` for a prompt; `info` or `error` for a message.
    public var type: String
    /// The module's text, unchanged.
    public var text: String

    /// A message of `type` with `text`.
    public init(type: String, text: String) {
        self.type = type
        self.text = text
    }

    /// Whether the answer to this prompt must not be echoed.
    public var isSecret: Bool { type == "secret" }
}
