import ArgumentParser
import LinuxPAM

#if canImport(Glibc)
import Glibc
#endif

/// `pamtoken-pamcheck`: runs one PAM transaction for a user, the way `pamtokend` would, and prints the
/// verdict. For administrators debugging a PAM stack, and for tests, which run it under pam_wrapper
/// (the wrapper must be preloaded into a fresh process, so it cannot be switched on inside a test runner).
@main
struct PAMCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pamtoken-pamcheck",
        abstract: "Check a user's password or account with PAM, as pamtokend does.",
        discussion: """
            Reads the password from the first line of standard input (never from the command line).
            Prints "ok USER" (then "message: …" lines for what modules said) and exits 0, or
            "refused CATEGORY: STAGE returned CODE (text)[; module said: …]" and exits 1.

            With --interactive, every prompt of the stack is carried as pamtokend carries it to the login
            page: each is printed as "prompt secret|text: TEXT" (after "note info|error: TEXT" lines for
            what modules said) and answered with the next line of standard input; at the end of input the
            prompt goes unanswered until --timeout passes.

            Examples:
              printf '%s\\n' "$PASSWORD" | pamtoken-pamcheck --service pamtoken alice
              pamtoken-pamcheck --interactive --change-expired --service pamtoken alice
            """
    )

    @Option(help: "The PAM service (file under /etc/pam.d).")
    var service = "pamtoken"

    @Flag(help: "Run pam_acct_mgmt only (what a refresh does); no password is read.")
    var accountOnly = false

    @Option(name: .customLong("repeat"), help: "Run the check this many times on as many threads, concurrently.")
    var repeatCount = 1

    @Flag(help: "Carry every prompt to standard input and output, as the login page does (see above).")
    var interactive = false

    @Flag(help: "With --interactive: change an expired password (pam_chauthtok), as allow_password_change does.")
    var changeExpired = false

    @Option(help: "With --interactive: seconds PAM waits for each answer.")
    var timeout: Double = 120

    @Argument(help: "The user name.")
    var user: String

    func run() async throws {
        if interactive { return try await converse() }
        let authenticator = PAMAuthenticator(service: service, threads: max(1, repeatCount))
        var password = ""
        if !accountOnly {
            password = readLine(strippingNewline: true) ?? ""
        }
        let outcomes = await withTaskGroup(of: Result<PAMReport, PAMError>.self) { group in
            for _ in 0..<max(1, repeatCount) {
                group.addTask { [accountOnly, user, password] in
                    do {
                        return .success(
                            accountOnly
                                ? try await authenticator.checkAccount(user: user)
                                : try await authenticator.authenticate(user: user, password: password))
                    } catch {
                        return .failure(error as? PAMError ?? .systemError)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await authenticator.shutdown()
        var failed = false
        for outcome in outcomes {
            switch outcome {
            case .success(let report):
                print("ok \(report.user)")
                for message in report.moduleMessages { print("message: \(message)") }
            case .failure(let error):
                failed = true
                print("refused \(error)")
            }
        }
        if failed { throw ExitCode(1) }
    }

    /// `--interactive`: one transaction whose prompts are answered line by line from standard input.
    private func converse() async throws {
        let authenticator = PAMAuthenticator(service: service, threads: 1)
        let dialog = PAMDialog(timeout: .milliseconds(Int64(timeout * 1000)))
        authenticator.converse(user: user, password: nil, changeExpiredPassword: changeExpired, dialog: dialog)
        var outcome: Result<PAMReport, PAMError>
        while true {
            switch await dialog.next() {
            case .prompt(let prompt, let notes):
                for note in notes { print("note \(note.kind.rawValue): \(note.text)") }
                print("prompt \(prompt.kind.rawValue): \(prompt.text)")
                fflush(nil)
                if let line = readLine(strippingNewline: true) { dialog.answer(line) }
                continue
            case .finished(let result):
                outcome = result
            }
            break
        }
        await authenticator.shutdown()
        switch outcome {
        case .success(let report):
            print("ok \(report.user)\(report.passwordChanged ? " (password changed)" : "")")
            for message in report.moduleMessages { print("message: \(message)") }
        case .failure(let error):
            print("refused \(error)")
            throw ExitCode(1)
        }
    }
}
