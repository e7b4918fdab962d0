import ArgumentParser

/// `pamtoken`: the command-line client. Its subcommands arrive with issue #4.
@main
struct Pamtoken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pamtoken",
        abstract: "Log in to pamtokend and print access tokens for scripts and tools.",
        version: "0.1.0-dev"
    )

    func run() async throws {
        throw ValidationError("no subcommands yet (see issue #4)")
    }
}
