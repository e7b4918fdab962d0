import ArgumentParser

/// `pamtoken admin revoke --user U | --session ID`: `POST /admin/revoke`.
struct AdminRevokeCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke every session of a user, or one session.",
        discussion: """
            Access tokens already issued stay valid for offline verifiers until they expire (at most the \
            access TTL); introspection and the daemon's Bearer routes refuse them at once.

            Examples:
              sudo pamtoken admin revoke --user alice
              sudo pamtoken admin revoke --session mGH7ooyKQhSOtYIHMoZdWQ
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: ArgumentHelp("Revoke all of this user's sessions.", valueName: "name"))
    var user: String?

    /// Unconditional: session ids are base64url and may begin with "-".
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Revoke this session.", valueName: "id"))
    var session: String?

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard (user == nil) != (session == nil) else { throw ValidationError("Give exactly one of --user or --session.") }
        guard user?.isEmpty != true, session?.isEmpty != true else { throw ValidationError("--user and --session need a value.") }
    }

    func run(in context: CLIContext) async throws {
        let count = try await AdminCommand.api(daemon, context: context).adminRevoke(user: user, session: session)
        switch format {
        case .json: context.print(try JSONCoding.pretty(["revoked": count]))
        case .text: context.print("Revoked \(count) session\(count == 1 ? "" : "s").")
        }
    }
}
