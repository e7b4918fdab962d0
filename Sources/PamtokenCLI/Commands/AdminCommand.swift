import ArgumentParser

/// `pamtoken admin …`: the daemon's `/admin/` routes (docs/api.md#admin-routes).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer the daemon: any user's sessions, signing keys, garbage collection.",
        discussion: """
            Served on the Unix socket only, to root or members of the configured admin_group: the daemon \
            identifies the caller by the socket's peer credentials, so no token is involved.

            Examples:
              sudo pamtoken admin sessions --user alice
              sudo pamtoken admin revoke --user alice
              sudo pamtoken admin keys rotate
            """,
        subcommands: [AdminSessionsCommand.self, AdminRevokeCommand.self, AdminKeysCommand.self, AdminGCCommand.self])

    /// The admin routes exist on the Unix socket only; a `--url` can only lead to a 403, so say why up front.
    static func api(_ daemon: DaemonOptions, context: CLIContext) throws(CLIError) -> any DaemonService {
        let address = try daemon.address(in: context)
        guard address.isUnixSocket else {
            throw .usage("admin commands work over the daemon's Unix socket only (it checks the caller's uid); use --socket PATH, not --url")
        }
        return context.daemon(address)
    }
}
