public import ArgumentParser

/// `--socket` and `--url`, shared by every command that talks to the daemon (an `@OptionGroup`, as in
/// swift-argument-parser's `math` example).
public struct DaemonOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The daemon's Unix socket (default: $PAMTOKEN_SOCKET, else \(DaemonAddress.defaultSocket)).", valueName: "path"))
    public var socket: String?

    @Option(name: .long, help: ArgumentHelp("The daemon's loopback HTTP listener instead, e.g. http://127.0.0.1:8719.", valueName: "url"))
    public var url: String?

    public init() {}

    public func validate() throws {
        guard socket == nil || url == nil else { throw ValidationError("Give --socket or --url, not both.") }
        if let socket, socket.isEmpty { throw ValidationError("--socket needs a path.") }
        if let url {
            do {
                _ = try DaemonAddress.parse(url: url)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    /// The address to use: `--socket`, then `--url`, then `PAMTOKEN_SOCKET`, then the default socket.
    func address(in context: CLIContext) throws(CLIError) -> DaemonAddress {
        if let socket { return .unix(path: socket) }
        if let url { return try DaemonAddress.parse(url: url) }
        if let socket = context.environment["PAMTOKEN_SOCKET"], !socket.isEmpty { return .unix(path: socket) }
        return .unix(path: DaemonAddress.defaultSocket)
    }
}
