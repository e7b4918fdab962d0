internal import CPAM

#if canImport(Glibc)
import Glibc
#endif

/// What one PAM transaction answers when a module asks something, and what modules said to it.
///
/// Two ways to answer. With a password alone (the password grant, `--password-stdin`) the password
/// answers PAM's echo-off prompt — again if the same prompt comes again — and a different echo-off
/// prompt (a one-time code) ends the transaction: ``needsMoreInput`` tells the caller why. With a
/// ``PAMDialog`` every prompt goes to the person, except that a password typed in advance (the login
/// page's first form) answers the first echo-off prompt.
///
/// PAM calls the conversation function with an opaque `appdata_ptr`; we pass an unretained pointer
/// to this object (the transaction keeps it alive), so the C callback itself captures nothing.
final class PAMConversation {
    private let user: [UInt8]
    private var password: [UInt8]
    private let dialog: PAMDialog?
    private var passwordUsed = false
    private var passwordPrompt: String?
    /// What modules said (`PAM_TEXT_INFO`, `PAM_ERROR_MSG`), in order.
    private(set) var notes: [PAMMessage] = []
    /// The texts of ``notes``, for logs.
    var messages: [String] { notes.map(\.text) }
    /// Set when a password-only conversation met a second, different question.
    private(set) var needsMoreInput = false
    /// Set when the person's side did not answer in time or gave up.
    private(set) var dialogClosed = false

    /// A conversation that answers with `password` alone.
    init(user: String, password: String?) {
        self.user = Array(user.utf8)
        self.password = password.map { Array($0.utf8) } ?? []
        self.dialog = nil
    }

    /// A conversation that asks the person through `dialog`; `firstAnswer`, when given, answers the
    /// first echo-off prompt without asking.
    init(user: String, dialog: PAMDialog, firstAnswer: String?) {
        self.user = Array(user.utf8)
        self.password = firstAnswer.map { Array($0.utf8) } ?? []
        self.passwordUsed = firstAnswer == nil
        self.dialog = dialog
    }

    deinit {
        eraseSecret()
    }

    /// Overwrites our copy of the password. The copies handed to PAM are PAM's to free; Linux-PAM's
    /// modules overwrite them before freeing (`_pam_overwrite`).
    func eraseSecret() {
        password.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { cpam_secure_zero(base, buffer.count) }
        }
        password.removeAll()
    }

    /// Answers one batch of messages. Returns `PAM_SUCCESS` with `responses` set to a `calloc`'d array
    /// of `malloc`'d strings (PAM frees both), or `PAM_CONV_ERR` having freed everything it allocated.
    fileprivate func respond(
        count: CInt,
        messages: UnsafeMutablePointer<UnsafePointer<pam_message>?>?,
        responses: UnsafeMutablePointer<UnsafeMutablePointer<pam_response>?>?
    ) -> CInt {
        guard let messages, count > 0, count <= PAM_MAX_NUM_MSG else { return PAM_CONV_ERR }
        var batch: [PAMMessage] = []
        for index in 0..<Int(count) {
            guard let message = messages[index], let kind = Self.kind(of: message.pointee.msg_style) else {
                // Binary prompts and anything else we cannot carry to a person.
                return PAM_CONV_ERR
            }
            batch.append(PAMMessage(kind, message.pointee.msg.map { String(cString: $0) } ?? ""))
        }
        guard let responses else {
            // Some modules (pam_matrix among them) pass no response array with purely informational
            // messages. Nothing to allocate then; a prompt without a place for the answer is an error.
            guard !batch.contains(where: \.isPrompt) else { return PAM_CONV_ERR }
            return answers(for: batch) == nil ? PAM_CONV_ERR : PAM_SUCCESS
        }
        responses.pointee = nil
        guard let answers = answers(for: batch) else { return PAM_CONV_ERR }
        guard let raw = calloc(Int(count), MemoryLayout<pam_response>.stride) else { return PAM_BUF_ERR }
        let replies = raw.bindMemory(to: pam_response.self, capacity: Int(count))
        for (index, answer) in answers.enumerated() {
            if let answer {
                guard let copy = Self.mallocCString(answer) else { return fail(replies, count: count) }
                replies[index].resp = copy
            }
            replies[index].resp_retcode = 0
        }
        responses.pointee = replies
        return PAM_SUCCESS
    }

    /// The answer to each message of a batch (nil for notes), or nil to refuse the batch.
    private func answers(for batch: [PAMMessage]) -> [[UInt8]?]? {
        notes += batch.filter { !$0.isPrompt }
        guard let dialog else { return passwordAnswers(for: batch) }
        // The password typed in advance answers the first echo-off prompt; the person answers the rest.
        var fixed: [Int: [UInt8]] = [:]
        var forPerson: [PAMMessage] = []
        for (index, message) in batch.enumerated() {
            if message.kind == .secretPrompt, !passwordUsed {
                passwordUsed = true
                fixed[index] = password
            } else {
                forPerson.append(message)
            }
        }
        var fromPerson: ArraySlice<String?> = []
        if !forPerson.isEmpty {
            guard let answered = dialog.ask(forPerson) else {
                dialogClosed = true
                return nil
            }
            fromPerson = answered[...]
        }
        return batch.indices.map { index in
            if let answer = fixed[index] { return answer }
            return fromPerson.popFirst().flatMap { $0.map { Array($0.utf8) } }
        }
    }

    /// A password-only conversation: the password for the echo-off prompt (and for the same prompt
    /// asked again), the user name for an echo-on prompt, nothing for notes; a different echo-off
    /// question ends it.
    private func passwordAnswers(for batch: [PAMMessage]) -> [[UInt8]?]? {
        var answers: [[UInt8]?] = []
        for message in batch {
            switch message.kind {
            case .secretPrompt:
                if let passwordPrompt, passwordPrompt != message.text {
                    needsMoreInput = true
                    return nil
                }
                passwordPrompt = message.text
                answers.append(password)
            case .textPrompt: answers.append(user)
            case .info, .error: answers.append(nil)
            }
        }
        return answers
    }

    private static func kind(of style: CInt) -> PAMMessage.Kind? {
        switch style {
        case PAM_PROMPT_ECHO_OFF: .secretPrompt
        case PAM_PROMPT_ECHO_ON: .textPrompt
        case PAM_ERROR_MSG: .error
        case PAM_TEXT_INFO: .info
        default: nil
        }
    }

    /// Frees a partly filled reply array after zeroing it: it may already hold the password.
    private func fail(_ replies: UnsafeMutablePointer<pam_response>, count: CInt) -> CInt {
        for index in 0..<Int(count) {
            if let text = replies[index].resp {
                cpam_secure_zero(text, strlen(text))
                free(text)
            }
        }
        free(replies)
        return PAM_CONV_ERR
    }

    /// A NUL-terminated `malloc`'d copy, because PAM releases responses with `free()`.
    private static func mallocCString(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        guard let raw = malloc(bytes.count + 1) else { return nil }
        let text = raw.bindMemory(to: CChar.self, capacity: bytes.count + 1)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { memcpy(text, base, bytes.count) }
        }
        text[bytes.count] = 0
        return text
    }

    /// Runs `body` with a `pam_conv` whose callback answers through this object.
    func withPAMConv<T, E: Error>(_ body: (inout pam_conv) throws(E) -> T) throws(E) -> T {
        var conv = pam_conv(
            conv: { count, messages, responses, appdata in
                guard let appdata else { return PAM_CONV_ERR }
                let conversation = Unmanaged<PAMConversation>.fromOpaque(appdata).takeUnretainedValue()
                return conversation.respond(count: count, messages: messages, responses: responses)
            },
            appdata_ptr: Unmanaged.passUnretained(self).toOpaque()
        )
        defer { withExtendedLifetime(self) {} }
        return try body(&conv)
    }
}

extension PAMConversation {
    /// The kinds of message a PAM module sends.
    enum MessageStyle: CInt {
        case promptEchoOff = 1  // PAM_PROMPT_ECHO_OFF
        case promptEchoOn = 2  // PAM_PROMPT_ECHO_ON
        case errorMessage = 3  // PAM_ERROR_MSG
        case textInfo = 4  // PAM_TEXT_INFO
    }

    /// Calls the conversation exactly as libpam does — through the `pam_conv` function pointer, with a
    /// C array of `pam_message` — and returns the answers (nil where none was given), freeing them as
    /// libpam would. nil when the conversation refused the batch. Lets tests prove what each kind of
    /// prompt is answered with, whatever module stack the machine has.
    func simulate(_ messages: [(style: MessageStyle, text: String)]) -> [String?]? {
        withPAMConv { conv -> [String?]? in
            let texts = messages.map { strdup($0.text) }
            defer {
                for text in texts { free(text) }
            }
            var structs = zip(messages, texts).map { pam_message(msg_style: $0.0.style.rawValue, msg: $0.1) }
            return structs.withUnsafeMutableBufferPointer { buffer -> [String?]? in
                var pointers: [UnsafePointer<pam_message>?] = (0..<buffer.count).map { UnsafePointer(buffer.baseAddress! + $0) }
                var replies: UnsafeMutablePointer<pam_response>? = nil
                let status = pointers.withUnsafeMutableBufferPointer { conv.conv(CInt(messages.count), $0.baseAddress, &replies, conv.appdata_ptr) }
                guard status == PAM_SUCCESS else { return nil }
                guard let replies else { return messages.map { _ in nil } }
                defer { free(replies) }
                return (0..<messages.count).map { index in
                    guard let text = replies[index].resp else { return nil }
                    defer { free(text) }
                    return String(cString: text)
                }
            }
        }
    }
}
