import ArgumentParser

/// `pamtoken sessions`: the caller's own sessions on the daemon (`list` by default, `revoke ID`).
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List or revoke your own sessions.",
        discussion: """
            Examples:
              pamtoken sessions
              pamtoken sessions revoke mGH7ooyKQhSOtYIHMoZdWQ
            """,
        subcommands: [SessionsListCommand.self, SessionsRevokeCommand.self],
        defaultSubcommand: SessionsListCommand.self)
}
