import ArgumentParser
import PamtokenWire

/// `pamtoken admin keys rotate`: `POST /admin/keys/rotate`, which makes a new key active at once (docs/api.md#access-token).
struct AdminKeysRotateCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Make a new signing key active now; old public keys stay published until their tokens expire.",
        discussion: """
            Examples:
              sudo pamtoken admin keys rotate
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let (list, json) = try await AdminCommand.api(daemon, context: context).adminKeys(rotate: true)
        if format == .json {
            context.print(JSONCoding.pretty(json: json) ?? "")
            return
        }
        if let active = list.keys.first(where: \.active) {
            context.note("The active signing key is now \(active.kid) (\(active.alg)).")
        }
        context.print(AdminKeysCommand.render(list))
    }
}
