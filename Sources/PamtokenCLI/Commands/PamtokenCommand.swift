public import ArgumentParser
import Foundation
import PamtokenBuild
import TokenCore

#if canImport(Glibc)
import Glibc
#endif

/// `pamtoken`: the command-line client of pamtokend (docs/api.md#the-pamtoken-cli).
///
/// The executable only calls ``runProcess()``; everything else is here, in a library, so tests run each
/// command in-process through ``run(arguments:context:)`` with captured I/O and read the exit code.
public struct PamtokenCommand: AsyncParsableCommand {
    public static let version = BuildDescription.short(version: PamtokenVersion.string)

    public static let configuration = CommandConfiguration(
        commandName: "pamtoken",
        abstract: "Log in to pamtokend and print access tokens for scripts and tools.",
        discussion: """
            Talks to pamtokend over its Unix socket (--socket PATH, $PAMTOKEN_SOCKET, default \(DaemonAddress.defaultSocket)) \
            or a loopback HTTP listener (--url http://127.0.0.1:8719). --socket and --url go before or after the subcommand.

            Exit status: 0 ok, 1 refused or invalid, 2 usage error, 3 pamtokend unreachable.

            Examples:
              pamtoken login
              curl -H "Authorization: Bearer $(pamtoken token)" http://localhost:8080/
              pamtoken status
              pamtoken --socket ./.run/pamtoken.sock login
            """,
        version: version,
        subcommands: [
            LoginCommand.self, TokenCommand.self, StatusCommand.self, LogoutCommand.self, VerifyCommand.self, SessionsCommand.self,
            AdminCommand.self,
        ]
    )

    public init() {}

    /// The real process: arguments, environment and standard I/O of this process.
    public static func runProcess() async -> Int32 {
        // `pamtoken token | head -c 10`: a closed pipe ends the write, not the process by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        return await run(
            arguments: Array(CommandLine.arguments.dropFirst()), context: .system(environment: ProcessInfo.processInfo.environment))
    }

    /// Parses `arguments`, runs the command with `context`, and returns the exit status (docs/api.md#the-pamtoken-cli).
    /// Never throws and never exits the process: every outcome is a status and what was printed.
    public static func run(arguments: [String], context: CLIContext) async -> Int32 {
        if arguments.contains("--version"), arguments.contains("--verbose") {
            context.console.write(BuildDescription.verbose(version: PamtokenVersion.string) + "\n")
            return ExitStatus.success
        }
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(GlobalOptions.hoisted(arguments))
        } catch {
            return report(error, context: context, parsing: true)
        }
        do {
            switch command {
            case let contextual as any ContextualCommand:
                try await contextual.run(in: context)
            case var async as any AsyncParsableCommand:
                try await async.run()
            default:
                var sync = command
                try sync.run()
            }
            return ExitStatus.success
        } catch {
            return report(error, context: context, parsing: false)
        }
    }

    /// Prints one plain line for `error` (argument-parser's own text for usage errors and help) and maps it
    /// to an exit status. Usage errors are 2, as docs/api.md#the-pamtoken-cli says, not argument-parser's EX_USAGE (64).
    static func report(_ error: any Error, context: CLIContext, parsing: Bool) -> Int32 {
        let failure: CLIError
        switch error {
        case let error as CLIError:
            failure = error
        case let error as DaemonClientError:
            failure = error.cliError
        case let error as DaemonError:
            failure = .refused(error.description)
        case let error as ExitCode:
            return error.rawValue
        default:
            let code = exitCode(for: error)
            let text = fullMessage(for: error)
            if code == .success {
                if !text.isEmpty { context.console.write(text + "\n") }  // --help, --version
                return ExitStatus.success
            }
            if parsing || error is ValidationError {
                context.console.writeError(text + "\n")
                return ExitStatus.usage
            }
            failure = .refused(String(describing: error))
        }
        let line = failure.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        context.console.writeError("pamtoken: \(line)\n")
        return failure.exitCode
    }
}
