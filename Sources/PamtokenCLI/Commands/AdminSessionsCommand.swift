import ArgumentParser

/// `pamtoken admin sessions [--user U]`: `GET /admin/sessions`.
struct AdminSessionsCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List active sessions of one user, or of everyone.",
        discussion: """
            Examples:
              sudo pamtoken admin sessions --user alice
              sudo pamtoken admin sessions --format json
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: ArgumentHelp("Only this user's sessions.", valueName: "name"))
    var user: String?

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let (sessions, json) = try await AdminCommand.api(daemon, context: context).adminSessions(user: user)
        switch format {
        case .json: context.print(JSONCoding.pretty(json: json) ?? "")
        case .text: context.print(SessionTable.render(sessions, showUser: true))
        }
    }
}
