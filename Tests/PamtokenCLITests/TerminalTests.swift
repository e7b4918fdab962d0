import Foundation
import PamtokenCLI
import TestSupport
import Testing

@Suite("login at a real (pseudo-)terminal")
struct TerminalTests {
    @Test("the password prompt appears on the terminal, what is typed is not echoed, echo comes back, login succeeds")
    func passwordNotEchoed() async throws {
        try await LiveDaemon.with { daemon async throws in
            let terminal = try PseudoTerminal()
            #expect(terminal.echoes, "a new terminal echoes")
            let exit = try terminal.start(
                ChildProcess.builtProduct("pamtoken"), ["login", "--socket", daemon.socket], environment: daemon.environment)
            #expect(await terminal.waitFor("Password:"), "transcript: \(terminal.output)")
            terminal.type(LiveDaemon.password + "\r")
            let status = await exit.value
            #expect(terminal.echoes, "echo is restored")
            let transcript = await terminal.finish()
            #expect(status == 0, "\(transcript)\n\(daemon.log)")
            #expect(!transcript.contains(LiveDaemon.password), "the password was echoed: \(transcript)")
            #expect(transcript.contains("Logged in to unix:\(daemon.socket) as root"))
            #expect(try daemon.storedSession() != nil)
        }
    }

    @Test("Ctrl-C at the password prompt exits 130 and restores echo")
    func interruptRestoresEcho() async throws {
        // The prompt is PAM's, carried by POST /conversation: a daemon is needed to ask it.
        try await LiveDaemon.with { daemon async throws in
            let terminal = try PseudoTerminal()
            let exit = try terminal.start(
                ChildProcess.builtProduct("pamtoken"), ["login", "--socket", daemon.socket], environment: daemon.environment)
            #expect(await terminal.waitFor("Password:"), "transcript: \(terminal.output)")
            #expect(!terminal.echoes, "echo is off while the prompt waits")
            terminal.type("half-typed\u{03}")
            let status = await exit.value
            #expect(status == 130)
            #expect(terminal.echoes, "echo is back on after Ctrl-C")
            let transcript = await terminal.finish()
            #expect(!transcript.contains("half-typed"))
        }
    }
}
