import ArgumentParser
import DaemonConfig
import Foundation
import LinuxPAM
import Logging
import PamtokenBuild
import PamtokenDaemon
import TokenCore
import TokenStore

/// `pamtokend`: flags + config file → a running daemon (docs/configuration.md). Nothing else lives here.
@main
struct Pamtokend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pamtokend",
        abstract: "Issue JWT access tokens and rotating refresh tokens for Linux users checked by PAM.",
        discussion: """
            Every setting lives in the config file (default /etc/pamtoken/pamtoken.toml); PAMTOKEN_* \
            environment variables override it, and these flags override both.

            Examples:
              pamtokend --listen tcp:127.0.0.1:8719 --listen unix:/run/pamtoken/pamtoken.sock
              pamtokend --check-config --config /etc/pamtoken/pamtoken.toml
              pamtokend --hash-secret < secret.txt     (a [[clients]] secret_hash)
            """,
        version: BuildDescription.short(version: PamtokenVersion.string)
    )

    @Option(help: ArgumentHelp("Config file (a missing default file means built-in defaults).", valueName: "path"))
    var config: String?

    @Option(help: ArgumentHelp("Listen on unix:/path/to.sock or tcp:HOST:PORT (repeatable).", valueName: "addr"))
    var listen: [String] = []

    @Option(help: ArgumentHelp("State directory (database and keys).", valueName: "dir"))
    var stateDir: String?

    @Option(help: ArgumentHelp("PAM service name.", valueName: "name"))
    var pamService: String?

    @Option(help: ArgumentHelp("Token issuer URL (iss), also the base of the metadata endpoints.", valueName: "url"))
    var issuer: String?

    @Option(help: ArgumentHelp("Token audience (aud; repeatable).", valueName: "aud"))
    var audience: [String] = []

    @Option(help: ArgumentHelp("Access-token lifetime.", valueName: "seconds"))
    var accessTtl: Int?

    @Option(help: ArgumentHelp("Refresh-token idle lifetime.", valueName: "seconds"))
    var refreshTtl: Int?

    @Option(help: ArgumentHelp("Absolute session lifetime from login.", valueName: "seconds"))
    var sessionMaxAge: Int?

    @Option(help: ArgumentHelp("ES256, EdDSA, RS256 or HS256.", valueName: "alg"))
    var signingAlg: String?

    @Option(help: ArgumentHelp("Window in which a repeated refresh is a retry, not reuse.", valueName: "seconds"))
    var reuseGrace: Int?

    @Option(help: ArgumentHelp("Exit after this long without a request (for socket activation).", valueName: "seconds"))
    var idleExit: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text or json.", valueName: "format"))
    var logFormat: String?

    @Option(
        help: ArgumentHelp(
            "The idle exit when neither the file nor PAMTOKEN_IDLE_EXIT sets idle_exit (the unit passes 600).", valueName: "seconds"))
    var defaultIdleExit: Int?

    @Flag(help: "Validate the configuration, print the effective settings, and exit 0 (valid) or 78 (invalid).")
    var checkConfig = false

    @Flag(help: "Read a client secret from standard input (one line), print its secret_hash for [[clients]], and exit.")
    var hashSecret = false

    @Option(
        name: .customLong("migrate-store"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Copy every session from one store to another and exit: FROM and TO are a SQLite file or a postgresql:// URL (docs/fleet.md).",
            valueName: "from> <to"))
    var migrateStore: [String] = []

    func validate() throws {
        if !migrateStore.isEmpty, migrateStore.count != 2 {
            throw ValidationError("--migrate-store takes two stores, FROM and TO (a SQLite file or a postgresql:// URL each).")
        }
    }

    func run() async throws {
        if hashSecret {
            try await Self.printSecretHash()
            return
        }
        let overrides = ConfigurationOverrides(
            listen: listen.isEmpty ? nil : listen, stateDirectory: stateDir, pamService: pamService, issuer: issuer,
            audiences: audience.isEmpty ? nil : audience, accessTTL: accessTtl, refreshTTL: refreshTtl, sessionMaxAge: sessionMaxAge,
            signingAlgorithm: signingAlg, reuseGrace: reuseGrace, idleExit: idleExit, logLevel: logLevel, logFormat: logFormat)
        var loader = ConfigurationLoader()
        if let defaultIdleExit { loader.defaults.idleExit = defaultIdleExit }
        let settings: DaemonConfiguration
        do {
            settings = try loader.load(configPath: config, environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            Self.fail("configuration: \(error)", status: Self.configurationError)
        }
        if checkConfig {
            print(settings.rendered(), terminator: "")
            return
        }
        if migrateStore.count == 2 {
            await Self.migrate(from: migrateStore[0], to: migrateStore[1], settings: settings)
            return
        }

        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        let json = settings.logFormat == .json
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : LogfmtLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pamtokend")
        do {
            try await Daemon(configuration: settings, logger: logger).run()
        } catch {
            // Once, through the log (which is standard error): not a second time as a plain line.
            logger.critical("cannot run", metadata: ["error": "\(error)"])
            Foundation.exit(1)
        }
    }

    /// sysexits(3)'s `EX_CONFIG`: the unit's `RestartPreventExitStatus=78` stops systemd from
    /// restarting a daemon whose configuration cannot work until someone edits it.
    static let configurationError: Int32 = 78

    /// Usage errors exit 2, as the CLI's do and as most Unix tools' do, not argument-parser's 64.
    static func main() async {
        // `--version --verbose`: the dependencies too, for bug reports (argument-parser's --version
        // takes no modifiers, so it is answered before parsing).
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.contains("--version"), arguments.contains("--verbose") {
            print(BuildDescription.verbose(version: PamtokenVersion.string))
            return
        }
        do {
            var command = try parseAsRoot()
            if let daemon = command as? Pamtokend {
                try await daemon.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// `--migrate-store FROM TO`: the copy, then one line saying what was copied; exit 1 on failure.
    static func migrate(from source: String, to target: String, settings: DaemonConfiguration) async {
        LoggingSystem.bootstrap { label in
            var handler = LogfmtLogHandler(label: label)
            handler.logLevel = .warning
            return handler
        }
        do {
            let (snapshot, report) = try await PamtokenDaemon.migrateStore(
                from: source, to: target, configuration: settings, logger: Logger(label: "pamtokend"))
            print(
                "migrate-store: \(report.sessionsAdded) sessions copied (\(report.sessionsPresent) already there), "
                    + "\(report.refreshTokensAdded) of \(snapshot.refreshTokens.count) refresh tokens, "
                    + "\(report.browserCookiesAdded) browser cookies, \(report.codesAdded) authorization codes")
        } catch {
            fail("--migrate-store: \(error)", status: 1)
        }
    }

    /// `--hash-secret`: the first line of standard input, without its line end, hashed with bcrypt.
    private static func printSecretHash() async throws {
        guard let line = readLine(strippingNewline: true), !line.isEmpty else {
            fail("--hash-secret: no secret on standard input (pipe it in, e.g. openssl rand -base64 32 | tee secret | pamtokend --hash-secret)")
        }
        guard line.utf8.count <= 1024 else { fail("--hash-secret: the secret is longer than 1024 bytes") }
        do {
            print(try await SecretHash.make(line))
        } catch {
            fail("--hash-secret: \(error)")
        }
    }

    /// One plain line on standard error, then exit (1 unless told otherwise).
    private static func fail(_ message: String, status: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("pamtokend: \(message)\n".utf8))
        Foundation.exit(status)
    }
}
