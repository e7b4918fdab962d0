import ArgumentParser
import PamtokenWire

/// `pamtoken login`: authenticate through the daemon and keep the session locally — with the password
/// (PAM), or, where the administrator enabled the peer-credential grant, as the caller's own uid.
struct LoginCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in with your Linux password and keep the session for 'pamtoken token'.",
        discussion: """
            Asks on the terminal what the host's PAM stack asks, in its words: the password with echo off, \
            then a one-time code or a new password for an expired one where the stack wants them. \
            --password-stdin reads the first line of standard input as the password, and fails when the \
            stack asks for more. Over the Unix socket, when the daemon offers the peer-credential grant \
            (peercred_grant = true), logs you in as yourself without a password; --peercred insists on it, \
            --password asks for the password anyway. The session (refresh token and cached access token) is \
            kept in $XDG_RUNTIME_DIR/pamtoken/ (or ~/.cache/pamtoken/), readable by you only. Logging in again \
            replaces and revokes the previous session.

            Examples:
              pamtoken login
              pamtoken login --user alice --socket /run/pamtoken/pamtoken.sock
              printf '%s\\n' "$PASSWORD" | pamtoken login --password-stdin
              pamtoken login --peercred
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: ArgumentHelp("The user to log in as (default: you).", valueName: "name"))
    var user: String?

    @Flag(name: .long, help: "Read the password from the first line of standard input instead of the terminal (for scripts).")
    var passwordStdin = false

    @Flag(name: .long, help: "Log in as yourself by the socket's peer credentials, without a password (the daemon must allow it).")
    var peercred = false

    @Flag(name: .long, help: "Ask for the password even where the daemon offers the peer-credential grant.")
    var password = false

    func validate() throws {
        if let user, user.isEmpty { throw ValidationError("--user needs a name.") }
        if peercred {
            if passwordStdin || password || user != nil { throw ValidationError("--peercred logs you in as yourself, without a password.") }
            if daemon.url != nil { throw ValidationError("--peercred works over the Unix socket only, not --url.") }
        }
    }

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        let manager = try SessionManager(address: address, context: context)
        if try await usePeerCredentials(address: address, context: context) {
            let session = try await manager.loginWithPeerCredentials()
            context.note("Logged in to \(address) as \(session.user) by peer credentials (session \(session.sessionID)).")
            return
        }
        guard let user = user ?? context.userName else { throw CLIError.refused("cannot tell who you are; use --user NAME") }
        let session: StoredSession
        if passwordStdin {
            guard let line = context.console.readLine(), !line.isEmpty else { throw CLIError.refused("no password on standard input") }
            session = try await manager.login(user: user, password: line)
        } else {
            session = try await manager.loginConversing(user: user)
        }
        context.note("Logged in to \(address) as \(session.user) (session \(session.sessionID)).")
    }

    /// `--peercred`, or: on the Unix socket, for yourself, without a password option, when discovery
    /// lists the grant (it does only while `peercred_grant = true`).
    private func usePeerCredentials(address: DaemonAddress, context: CLIContext) async throws -> Bool {
        if peercred { return true }
        guard case .unix = address, !passwordStdin, !password, user == nil || user == context.userName else { return false }
        let grants = (try? await context.daemon(address).metadata())?.grantTypesSupported ?? []
        return grants.contains("urn:pamtoken:params:grant-type:peercred")
    }
}
