import Foundation
import Synchronization
import Testing

@testable import LinuxPAM

/// The PAM conversation carried to a person, against real libpam under pam_wrapper: pam_matrix for
/// the password and the real pam_oath for a TOTP code (computed by oathtool), as a site stacks them.
@Suite("The PAM dialog: prompts carried to a person, in turn, with a deadline", .enabled(if: PAMWrapperHarness.oathIsAvailable))
struct PAMDialogTests {
    @Test("two prompts in turn, each in the module's words, with what the first module said before the second prompt")
    func passwordThenCode() async throws {
        let harness = try PAMWrapperHarness(users: ["alice:secret:pamtoken-oath"])
        defer { harness.cleanUp() }
        let outcome = try await harness.converse(
            service: "pamtoken-oath", user: "alice", answers: ["secret", try await PAMWrapperHarness.currentCode()])
        #expect(
            outcome.lines.prefix(3) == [
                "prompt secret: Password: ", "note info: Authentication succeeded", "prompt secret: One-time password (OATH) for `alice': ",
            ])
        #expect(outcome.lines.contains("ok alice"))
        #expect(outcome.status == 0)
    }

    @Test("a wrong code is the stack's refusal, after both prompts were asked")
    func wrongCode() async throws {
        let harness = try PAMWrapperHarness(users: ["alice:secret:pamtoken-oath"])
        defer { harness.cleanUp() }
        let code = try await PAMWrapperHarness.currentCode()
        let wrong = String(code.map { $0 == "9" ? "0" : Character(String(($0.wholeNumberValue ?? 0) + 1)) })
        let outcome = try await harness.converse(service: "pamtoken-oath", user: "alice", answers: ["secret", wrong])
        #expect(outcome.lines.filter { $0.hasPrefix("prompt") }.count == 2)
        #expect(outcome.lines.last?.hasPrefix("refused bad_credentials") == true, "\(outcome.lines)")
    }

    @Test("a password alone cannot answer the second prompt: the transaction says more input was required")
    func passwordAlone() async throws {
        let harness = try PAMWrapperHarness(users: ["alice:secret:pamtoken-oath"])
        defer { harness.cleanUp() }
        let outcome = try await harness.check(service: "pamtoken-oath", user: "alice", password: "secret")
        #expect(outcome.status == 1)
        #expect(outcome.lines.first?.hasPrefix("refused more_input_required") == true, "\(outcome.lines)")
    }

    @Test("an unanswered prompt ends the transaction at the deadline, as a failure")
    func deadline() async throws {
        let harness = try PAMWrapperHarness(users: ["alice:secret:pamtoken-oath"])
        defer { harness.cleanUp() }
        let start = ContinuousClock.now
        let outcome = try await harness.converse(service: "pamtoken-oath", user: "alice", answers: ["secret"], timeout: 0.5)
        #expect(outcome.lines.last?.hasPrefix("refused conversation_ended") == true, "\(outcome.lines)")
        #expect(ContinuousClock.now - start < .seconds(15), "the deadline, not a hang, ended it")
    }
}

/// The dialog itself, without PAM: both of its sides on real threads.
@Suite("The PAM dialog's rendezvous")
struct PAMDialogRendezvousTests {
    @Test("a batch of prompts is presented one at a time and handed back whole; notes come with the next prompt")
    func batch() async throws {
        let dialog = PAMDialog(timeout: .seconds(10))
        let answers = Mutex<[String?]?>(nil)
        Thread {
            _ = dialog.ask([PAMMessage(.info, "hello")])
            answers.withLock { $0 = dialog.ask([PAMMessage(.secretPrompt, "A: "), PAMMessage(.error, "careful"), PAMMessage(.textPrompt, "B: ")]) }
            dialog.end(.success(PAMReport(user: "alice")))
        }.start()
        #expect(await dialog.next() == .prompt(PAMMessage(.secretPrompt, "A: "), notes: [PAMMessage(.info, "hello")]))
        #expect(dialog.answer("1"))
        #expect(await dialog.next() == .prompt(PAMMessage(.textPrompt, "B: "), notes: [PAMMessage(.error, "careful")]))
        #expect(dialog.answer("2"))
        #expect(await dialog.next() == .finished(.success(PAMReport(user: "alice"))))
        #expect(answers.withLock { $0 } == ["1", nil, "2"])
        #expect(!dialog.answer("3"), "nothing is waiting any more")
    }

    @Test("cancel refuses the waiting prompt at once and every later one, and the end still arrives")
    func cancel() async throws {
        let ended = Mutex(false)
        let dialog = PAMDialog(timeout: .seconds(60), onEnd: { ended.withLock { $0 = true } })
        Thread {
            let first = dialog.ask([PAMMessage(.secretPrompt, "Code: ")])
            let second = dialog.ask([PAMMessage(.secretPrompt, "Again: ")])
            dialog.end(first == nil && second == nil ? .failure(.conversationEnded) : .success(PAMReport(user: "x")))
        }.start()
        guard case .prompt = await dialog.next() else {
            Issue.record("no prompt")
            return
        }
        let start = ContinuousClock.now
        dialog.cancel()
        #expect(await dialog.next() == .finished(.failure(.conversationEnded)))
        #expect(ContinuousClock.now - start < .seconds(30), "cancel did not wait for the deadline")
        #expect(dialog.isClosed)
        #expect(ended.withLock { $0 }, "onEnd ran, so a held admission place is given back")
    }
}
