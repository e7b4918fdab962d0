/// The person at the keyboard, when there is one: asked for a password with echo off.
///
/// Separate from ``Console`` because the prompt goes to the controlling terminal (`/dev/tty`), not to
/// standard input and output, which scripts and kubectl redirect. Tests inject a scripted one.
public protocol Terminal: Sendable {
    /// Whether a person can be asked: standard input is a terminal and the controlling terminal opens.
    var isInteractive: Bool { get }
    /// Shows `prompt` on the controlling terminal and reads one line without echoing it.
    func readSecret(prompt: String) throws(CLIError) -> String
    /// Shows `prompt` on the controlling terminal and reads one line, echoed as it is typed.
    func readLine(prompt: String) throws(CLIError) -> String
    /// Shows a line of what PAM said ("You are required to change your password immediately").
    func show(_ message: String)
}

extension Terminal {
    /// A terminal that cannot echo answers asks as for a secret.
    public func readLine(prompt: String) throws(CLIError) -> String { try readSecret(prompt: prompt) }
    /// Nothing to show on: the message is dropped.
    public func show(_ message: String) {}
}

/// Text from the daemon (PAM's prompts and messages) made safe to write to a terminal: control
/// characters other than newline and tab — escape sequences that could retitle the window, move the
/// cursor or fake a prompt — become U+FFFD.
func terminalSafe(_ text: String) -> String {
    String(
        String.UnicodeScalarView(
            text.unicodeScalars.map { scalar in
                let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                return isControl && scalar != "\n" && scalar != "\t" ? "\u{FFFD}" : scalar
            }))
}
