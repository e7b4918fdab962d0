import Testing

@testable import LinuxPAM

/// What the conversation answers each kind of prompt with, called through the C function pointer the
/// way libpam calls it. A module that shows the user name field must never receive the password.
@Suite("The PAM conversation: which answer goes to which prompt")
struct PAMConversationTests {
    @Test("an echo-on prompt gets the user name, never the password; echo-off gets the password")
    func echoOnGetsUserName() {
        let conversation = PAMConversation(user: "alice", password: "correct horse")
        let answers = conversation.simulate([(.promptEchoOn, "login: "), (.promptEchoOff, "Password: ")])
        #expect(answers == ["alice", "correct horse"])
        #expect(conversation.simulate([(.promptEchoOn, "Username: ")]) == ["alice"])
    }

    @Test("info and error messages are collected and answered with nothing")
    func messages() {
        let conversation = PAMConversation(user: "alice", password: "pw")
        let answers = conversation.simulate([(.textInfo, "Your password expires in 3 days"), (.errorMessage, "Account locked soon")])
        #expect(answers == [nil, nil])
        #expect(conversation.messages == ["Your password expires in 3 days", "Account locked soon"])
    }

    @Test("after the secret is erased, echo-off prompts get an empty answer, not stale bytes")
    func erased() {
        let conversation = PAMConversation(user: "alice", password: "pw")
        conversation.eraseSecret()
        #expect(conversation.simulate([(.promptEchoOff, "Password: ")]) == [""])
    }
}
