import ArgumentParser
import PamtokenWire

/// `pamtoken admin gc`: `POST /admin/gc`, the daemon's periodic clean-up, run now.
struct AdminGCCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete expired and revoked sessions and retired keys no valid token can name.",
        discussion: """
            Examples:
              sudo pamtoken admin gc
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let (report, json) = try await AdminCommand.api(daemon, context: context).adminGC()
        switch format {
        case .json: context.print(JSONCoding.pretty(json: json) ?? "")
        case .text:
            let keys = report.prunedKeys.isEmpty ? "no retired keys pruned" : "pruned keys \(report.prunedKeys.joined(separator: ", "))"
            context.print("Deleted \(report.deletedRows) expired or revoked rows; \(keys).")
        }
    }
}
