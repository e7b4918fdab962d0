public import ArgumentParser

/// `pamtoken`: the command-line client (CONTRACT §5). Subcommands arrive with issue #4.
public struct PamtokenCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "pamtoken",
        abstract: "Log in to pamtokend and print access tokens for scripts and tools.",
        version: "0.2.0"
    )

    public init() {}

    public func run() async throws {
        throw ValidationError("no subcommands yet")
    }
}
