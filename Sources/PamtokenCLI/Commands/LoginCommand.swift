import ArgumentParser

/// `pamtoken login`: authenticate with PAM through the daemon and keep the session locally.
struct LoginCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in with your Linux password and keep the session for 'pamtoken token'.",
        discussion: """
            Asks for the password on the terminal with echo off, or reads the first line of standard input \
            with --password-stdin. The session (refresh token and cached access token) is kept in \
            $XDG_RUNTIME_DIR/pamtoken/ (or ~/.cache/pamtoken/), readable by you only. Logging in again \
            replaces and revokes the previous session.

            Examples:
              pamtoken login
              pamtoken login --user alice --socket /run/pamtoken/pamtoken.sock
              printf '%s\\n' "$PASSWORD" | pamtoken login --password-stdin
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: ArgumentHelp("The user to log in as (default: you).", valueName: "name"))
    var user: String?

    @Flag(name: .long, help: "Read the password from the first line of standard input instead of the terminal (for scripts).")
    var passwordStdin = false

    func validate() throws {
        if let user, user.isEmpty { throw ValidationError("--user needs a name.") }
    }

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        guard let user = user ?? context.userName else { throw CLIError.refused("cannot tell who you are; use --user NAME") }
        let password: String
        if passwordStdin {
            guard let line = context.console.readLine(), !line.isEmpty else { throw CLIError.refused("no password on standard input") }
            password = line
        } else {
            password = try context.terminal.readSecret(prompt: "Password: ")
        }
        let session = try await SessionManager(address: address, context: context).login(user: user, password: password)
        context.note("Logged in to \(address) as \(session.user) (session \(session.sessionID)).")
    }
}
