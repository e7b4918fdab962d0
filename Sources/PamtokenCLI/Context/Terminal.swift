/// The person at the keyboard, when there is one: asked for a password with echo off.
///
/// Separate from ``Console`` because the prompt goes to the controlling terminal (`/dev/tty`), not to
/// standard input and output, which scripts and kubectl redirect. Tests inject a scripted one.
public protocol Terminal: Sendable {
    /// Whether a person can be asked: standard input is a terminal and the controlling terminal opens.
    var isInteractive: Bool { get }
    /// Shows `prompt` on the controlling terminal and reads one line without echoing it.
    func readSecret(prompt: String) throws(CLIError) -> String
}
