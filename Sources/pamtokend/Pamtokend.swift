import ArgumentParser
import TokenServer

/// `pamtokend`: the daemon. Today only `--version`; the server arrives with issue #3.
@main
struct Pamtokend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pamtokend",
        abstract: "Issue JWT access tokens and rotating refresh tokens for Linux users checked by PAM.",
        version: TokenServer.version
    )

    func run() async throws {
        throw ValidationError("the daemon is not implemented yet (see issue #3)")
    }
}
