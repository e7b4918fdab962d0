internal import CPAM

#if canImport(Glibc)
import Glibc
#endif

/// What one PAM transaction answers when a module asks something, and what modules said to it.
///
/// PAM calls the conversation function with an opaque `appdata_ptr`; we pass an unretained pointer
/// to this object (the transaction keeps it alive), so the C callback itself captures nothing.
final class PAMConversation {
    private let user: [UInt8]
    private var password: [UInt8]
    private(set) var messages: [String] = []

    init(user: String, password: String?) {
        self.user = Array(user.utf8)
        self.password = password.map { Array($0.utf8) } ?? []
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
        guard let responses else {
            // Some modules (pam_matrix among them) pass no response array with purely informational
            // messages. Nothing to allocate then; a prompt without a place for the answer is an error.
            return collectInformation(count: count, messages: messages)
        }
        responses.pointee = nil
        guard let raw = calloc(Int(count), MemoryLayout<pam_response>.stride) else { return PAM_BUF_ERR }
        let replies = raw.bindMemory(to: pam_response.self, capacity: Int(count))

        for index in 0..<Int(count) {
            guard let message = messages[index] else { return fail(replies, count: count) }
            switch message.pointee.msg_style {
            case PAM_PROMPT_ECHO_OFF:
                guard let copy = Self.mallocCString(password) else { return fail(replies, count: count) }
                replies[index].resp = copy
            case PAM_PROMPT_ECHO_ON:
                guard let copy = Self.mallocCString(user) else { return fail(replies, count: count) }
                replies[index].resp = copy
            case PAM_ERROR_MSG, PAM_TEXT_INFO:
                if let text = message.pointee.msg {
                    self.messages.append(String(cString: text))
                }
            default:
                // Binary prompts and anything else we cannot answer without a person at a terminal.
                return fail(replies, count: count)
            }
            replies[index].resp_retcode = 0
        }
        responses.pointee = replies
        return PAM_SUCCESS
    }

    private func collectInformation(count: CInt, messages: UnsafeMutablePointer<UnsafePointer<pam_message>?>) -> CInt {
        for index in 0..<Int(count) {
            guard let message = messages[index],
                message.pointee.msg_style == PAM_ERROR_MSG || message.pointee.msg_style == PAM_TEXT_INFO
            else { return PAM_CONV_ERR }
            if let text = message.pointee.msg {
                self.messages.append(String(cString: text))
            }
        }
        return PAM_SUCCESS
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
