import ArgumentParser

/// `pamtoken admin keys list`: `GET /admin/keys`.
struct AdminKeysListCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the signing keys (public facts only: kid, algorithm, dates).",
        discussion: """
            Examples:
              sudo pamtoken admin keys list --format json
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let (list, json) = try await AdminCommand.api(daemon, context: context).adminKeys(rotate: false)
        context.print(format == .json ? JSONCoding.pretty(json: json) ?? "" : AdminKeysCommand.render(list))
    }
}
