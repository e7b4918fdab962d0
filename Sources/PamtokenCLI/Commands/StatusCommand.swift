import ArgumentParser
import Foundation
import TokenCore

/// `pamtoken status`: who is logged in to which daemon, and when things expire. Reads the local
/// session, then asks the daemon whether it still accepts it (a revoked session is reported, exit 1);
/// with the daemon down it still answers from the file. It never prints a token.
struct StatusCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show who is logged in, the session, and when the tokens expire.",
        discussion: """
            Reads the local session file, then asks the daemon whether the session is still live (one \
            request, with the cached access token while it is valid). Exits 1 when not logged in or when the \
            session was revoked; with the daemon unreachable it reports the file's state and says so.

            Examples:
              pamtoken status
              pamtoken status --format json
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        let file = try await SessionFile.locate(address: address, context: context)
        let now = context.clock.now
        guard let session = try file.load() else {
            if format == .json {
                context.print(try JSONCoding.pretty(StatusJSON(loggedIn: false, daemon: address.description)))
            }
            throw CLIError.notLoggedIn
        }
        let accessLeft = session.accessSecondsLeft(at: now)
        let online = await onlineState(session, accessLeft: accessLeft, address: address, context: context)
        if online == .revoked { try? file.delete() }
        if format == .json {
            var status = StatusJSON(loggedIn: true, daemon: address.description)
            status.user = session.user
            status.sessionID = session.sessionID
            status.issuer = session.issuer
            status.accessTokenExpiresAt = TimeFormatting.rfc3339(session.accessExpiry)
            status.accessTokenValid = accessLeft > 0
            status.refreshTokenExpiresAt = session.refreshExpiry.map(TimeFormatting.rfc3339)
            status.loggedInAt = TimeFormatting.rfc3339(Date(timeIntervalSince1970: TimeInterval(session.loggedInAt)))
            status.sessionFile = file.paths.sessionFile
            status.daemonSays = online.rawValue
            context.print(try JSONCoding.pretty(status))
            if online == .revoked { throw CLIError.sessionRevoked }
            return
        }
        if online == .revoked { throw CLIError.sessionRevoked }
        let access =
            accessLeft > 0
            ? "valid until \(TimeFormatting.local(session.accessExpiry)) (\(TimeFormatting.relative(accessLeft)))"
            : "expired \(TimeFormatting.relative(accessLeft)); 'pamtoken token' refreshes it"
        var lines = [
            "Logged in to \(address) as \(session.user)",
            "  session:        \(session.sessionID)",
            "  issuer:         \(session.issuer)",
            "  logged in:      \(TimeFormatting.local(unixSeconds: session.loggedInAt))",
            "  access token:   \(access)",
        ]
        if let expiry = session.refreshTokenExpiresAt {
            let left = expiry - Int64(now.timeIntervalSince1970)
            lines.append(
                left > 0
                    ? "  refresh token:  valid until \(TimeFormatting.local(unixSeconds: expiry)) (\(TimeFormatting.relative(left)))"
                    : "  refresh token:  expired \(TimeFormatting.relative(left)); run 'pamtoken login'")
        }
        lines.append("  daemon says:    \(online.text)")
        lines.append("  session file:   \(file.paths.sessionFile)")
        context.print(lines.joined(separator: "\n"))
    }
}

/// What the daemon said of the session.
enum OnlineState: String {
    case live
    case revoked
    /// The access token expired: asking would need a refresh, which status does not do.
    case notChecked = "not_checked"
    case unreachable

    var text: String {
        switch self {
        case .live: "the session is live"
        case .revoked: "the session was revoked"
        case .notChecked: "not asked (the access token expired; 'pamtoken token' refreshes and checks it)"
        case .unreachable: "nothing: pamtokend is unreachable (the lines above are the session file's)"
        }
    }
}

extension StatusCommand {
    func onlineState(_ session: StoredSession, accessLeft: Int64, address: DaemonAddress, context: CLIContext) async -> OnlineState {
        guard accessLeft > 0 else { return .notChecked }
        do {
            _ = try await context.daemon(address).userinfo(bearer: session.accessToken)
            return .live
        } catch let error as DaemonError where error.status == 401 {
            return .revoked
        } catch {
            return .unreachable
        }
    }
}

/// `status --format json`.
struct StatusJSON: Encodable {
    var loggedIn: Bool
    var daemon: String
    var user: String?
    var sessionID: String?
    var issuer: String?
    var accessTokenExpiresAt: String?
    var accessTokenValid: Bool?
    var refreshTokenExpiresAt: String?
    var loggedInAt: String?
    var sessionFile: String?
    /// `live`, `revoked`, `not_checked` or `unreachable`.
    var daemonSays: String?

    enum CodingKeys: String, CodingKey {
        case loggedIn = "logged_in"
        case daemon, user, issuer
        case sessionID = "session_id"
        case accessTokenExpiresAt = "access_token_expires_at"
        case accessTokenValid = "access_token_valid"
        case refreshTokenExpiresAt = "refresh_token_expires_at"
        case loggedInAt = "logged_in_at"
        case sessionFile = "session_file"
        case daemonSays = "daemon_says"
    }
}
