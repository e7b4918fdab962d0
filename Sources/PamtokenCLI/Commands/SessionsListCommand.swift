import ArgumentParser

/// `pamtoken sessions list`: `GET /sessions` with the current access token.
struct SessionsListCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List your active sessions (* marks this one).",
        discussion: """
            Columns: id, created, last used, expires (idle or absolute, whichever is first), login method, \
            client id, and the peer that logged in.

            Examples:
              pamtoken sessions list
              pamtoken sessions list --format json
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let manager = try await SessionManager.locating(address: try daemon.address(in: context), context: context)
        let (sessions, json) = try await manager.withAccessToken { try await manager.api.sessions(bearer: $0) }
        switch format {
        case .json: context.print(JSONCoding.pretty(json: json) ?? "")
        case .text: context.print(SessionTable.render(sessions, showUser: false))
        }
    }
}
