import ArgumentParser

/// `pamtoken token`: print a valid access token, and nothing else, on standard output.
struct TokenCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print a valid access token, refreshing it when needed.",
        discussion: """
            Prints only the token on standard output. The cached token is reused while it has more than \
            --min-valid seconds left; otherwise it is refreshed (the new refresh token is saved before the \
            access token is printed). Safe to run from many processes at once. The cached token is not checked \
            with the daemon (fast, offline); --check asks it, and fails if the session was revoked meanwhile. When not logged in, asks for \
            the password if there is a terminal, and otherwise exits 1 with a hint.

            --format exec-credential prints a kubectl ExecCredential (client.authentication.k8s.io/v1), \
            so a kubeconfig's users[].user.exec can call this command.

            Examples:
              curl -H "Authorization: Bearer $(pamtoken token)" http://localhost:8080/api
              pamtoken token --format json --min-valid 120
              pamtoken token --format exec-credential
              pamtoken token --check          (fails with "session revoked" if it was)
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "raw (the token), json, or exec-credential (for kubectl).")
    var format: TokenFormat = .raw

    @Option(name: .long, help: ArgumentHelp("Refresh when the cached token has this many seconds left or fewer.", valueName: "seconds"))
    var minValid = 30

    @Flag(name: .long, help: "Also ask the daemon that the session is still live (one request), instead of trusting the cache.")
    var check = false

    func validate() throws {
        guard minValid >= 0 else { throw ValidationError("--min-valid must be 0 or more.") }
    }

    func run(in context: CLIContext) async throws {
        let manager = try await SessionManager.locating(address: try daemon.address(in: context), context: context)
        let session = try await manager.validSession(minValid: minValid, interactiveLogin: true)
        if check { try await manager.confirmOnline(session) }
        context.console.write(try TokenOutput.render(token: session.accessToken, expiresAt: session.accessExpiry, format: format))
    }
}
