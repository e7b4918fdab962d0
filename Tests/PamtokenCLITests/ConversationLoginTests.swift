import Foundation
import PamtokenWire
import Testing

@testable import PamtokenCLI

/// `pamtoken login` on a terminal: PAM's prompts, in PAM's words, each read the way its kind asks.
@Suite("login through a PAM conversation")
struct ConversationLoginTests {
    @Test("each prompt is asked on the terminal — secret ones without echo — and what modules said is shown")
    func promptsOnTheTerminal() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-conv-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        var done = SessionFileTests.response()
        done.messages = [ConversationMessage(type: "info", text: "Your password will expire in 3 days")]
        let daemon = ScriptedDaemon(conversation: [
            .prompt(
                ConversationPrompt(
                    conversation: "pcv_1", prompt: ConversationMessage(type: "secret", text: "Password: "),
                    messages: [ConversationMessage(type: "info", text: "Welcome to the lab")], expiresIn: 120)),
            .prompt(
                ConversationPrompt(
                    conversation: "pcv_2", prompt: ConversationMessage(type: "text", text: "Token serial: "), messages: [], expiresIn: 120)),
            .done(done),
        ])
        let terminal = ScriptedTerminal(interactive: true, passwords: ["pw", "A1"])
        let run = await pamtoken(
            ["login", "--password", "--socket", "/run/scripted.sock"], environment: ["XDG_RUNTIME_DIR": runtime], terminal: terminal,
            daemon: { _ in daemon })
        #expect(run.status == 0, "\(run)")
        #expect(terminal.prompts == ["Password: ", "echo Token serial: "])
        #expect(terminal.shown == ["Welcome to the lab", "Your password will expire in 3 days"])
        #expect(
            daemon.calls.filter { $0.hasPrefix("converse") } == [
                "converse username=root&client_id=pamtoken", "converse conversation=pcv_1&answer=pw", "converse conversation=pcv_2&answer=A1",
            ])
        #expect(!daemon.calls.contains { $0.hasPrefix("passwordGrant") })
        #expect(run.stderr.contains("Logged in to"))
    }

    @Test("escape sequences in PAM's words never reach the terminal")
    func controlCharacters() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-conv-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let daemon = ScriptedDaemon(conversation: [
            .prompt(
                ConversationPrompt(
                    conversation: "pcv_1", prompt: ConversationMessage(type: "secret", text: "Code\u{1B}[2J: "),
                    messages: [ConversationMessage(type: "error", text: "\u{1B}]0;pwned\u{07}line one\nline two")], expiresIn: 120)),
            .done(SessionFileTests.response()),
        ])
        let terminal = ScriptedTerminal(interactive: true, passwords: ["123456"])
        let run = await pamtoken(
            ["login", "--password", "--socket", "/run/scripted.sock"], environment: ["XDG_RUNTIME_DIR": runtime], terminal: terminal,
            daemon: { _ in daemon })
        #expect(run.status == 0, "\(run)")
        #expect(terminal.prompts == ["Code\u{FFFD}[2J: "])
        #expect(terminal.shown == ["\u{FFFD}]0;pwned\u{FFFD}line one\nline two"])
    }

    @Test("a daemon without conversations gets the password prompt and the password grant")
    func olderDaemon() async throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-conv-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        let daemon = ScriptedDaemon()
        let terminal = ScriptedTerminal(interactive: true, passwords: ["pw"])
        let run = await pamtoken(
            ["login", "--password", "--socket", "/run/scripted.sock"], environment: ["XDG_RUNTIME_DIR": runtime], terminal: terminal,
            daemon: { _ in daemon })
        #expect(run.status == 0, "\(run)")
        #expect(terminal.prompts == ["Password: "])
        #expect(daemon.calls.contains("passwordGrant root"))
    }
}
