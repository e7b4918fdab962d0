import ArgumentParser
import Foundation

/// A subcommand that does its work with an injected ``CLIContext``.
///
/// ``PamtokenCommand/run(arguments:context:)`` calls ``run(in:)`` directly; the parameterless `run()`
/// that swift-argument-parser requires exists only for callers of its own `main()`, and uses the real
/// process's context (the pattern of swiftly's commands, whose tests pass a mocked context).
protocol ContextualCommand: AsyncParsableCommand {
    func run(in context: CLIContext) async throws
}

extension ContextualCommand {
    mutating func run() async throws {
        try await run(in: .system(environment: ProcessInfo.processInfo.environment))
    }
}

/// `--format text|json` for the commands that print a listing or a report.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case text
    case json
}
