import PamtokenCLI
import Synchronization
import TokenCore

/// A console whose standard input is a string and whose output is captured: the in-process stand-in
/// for file descriptors 0–2 (swiftly's `runWithMockedIO`, as a value the commands receive).
final class TestConsole: Console {
    private struct State {
        var input: Substring
        var output = ""
        var errors = ""
    }

    private let state: Mutex<State>

    init(stdin: String = "") {
        state = Mutex(State(input: Substring(stdin)))
    }

    var stdout: String { state.withLock { $0.output } }
    var stderr: String { state.withLock { $0.errors } }

    func write(_ text: String) {
        state.withLock { $0.output += text }
    }

    func writeError(_ text: String) {
        state.withLock { $0.errors += text }
    }

    func readLine() -> String? {
        state.withLock { state in
            guard !state.input.isEmpty else { return nil }
            let end = state.input.firstIndex(of: "\n") ?? state.input.endIndex
            let line = String(state.input[..<end])
            state.input = end == state.input.endIndex ? "" : state.input[state.input.index(after: end)...]
            return line
        }
    }

    func readAll(limit: Int) -> String? {
        state.withLock { state in
            let rest = String(state.input)
            state.input = ""
            return rest.utf8.count <= limit ? rest : nil
        }
    }
}

/// A terminal that is either absent (a script, kubectl) or a person who types the given passwords.
final class ScriptedTerminal: Terminal {
    let isInteractive: Bool
    private let answers: Mutex<[String]>
    private let asked = Mutex<[String]>([])

    init(interactive: Bool = false, passwords: [String] = []) {
        isInteractive = interactive
        answers = Mutex(passwords)
    }

    /// Every prompt shown, in order.
    var prompts: [String] { asked.withLock { $0 } }

    private let told = Mutex<[String]>([])
    /// Every message shown, in order.
    var shown: [String] { told.withLock { $0 } }

    func show(_ message: String) {
        told.withLock { $0.append(message) }
    }

    /// An echoed prompt is recorded as `echo PROMPT`.
    func readLine(prompt: String) throws(CLIError) -> String {
        try readSecret(prompt: "echo " + prompt)
    }

    func readSecret(prompt: String) throws(CLIError) -> String {
        asked.withLock { $0.append(prompt) }
        guard isInteractive else { throw .refused("no terminal to ask for the password on; use --password-stdin") }
        guard let answer = answers.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { throw .refused("no password given") }
        return answer
    }
}

/// What one in-process run of `pamtoken` did.
struct CLIRun: CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// Runs `pamtoken arguments…` in-process with injected I/O and returns the exit status and output.
func pamtoken(
    _ arguments: [String], stdin: String = "", environment: [String: String] = [:], terminal: ScriptedTerminal = ScriptedTerminal(),
    user: String? = "root", home: String? = nil, clock: any WallClock = SystemClock(),
    daemon: @escaping @Sendable (DaemonAddress) -> any DaemonService = CLIContext.httpDaemon
) async -> CLIRun {
    let console = TestConsole(stdin: stdin)
    let context = CLIContext(
        console: console, terminal: terminal, environment: environment, userName: user, homeDirectory: home, clock: clock, daemon: daemon)
    let status = await PamtokenCommand.run(arguments: arguments, context: context)
    return CLIRun(status: status, stdout: console.stdout, stderr: console.stderr)
}
