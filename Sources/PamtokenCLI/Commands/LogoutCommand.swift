import ArgumentParser

/// `pamtoken logout`: revoke the session on the daemon, then forget it locally.
struct LogoutCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Revoke the session on the daemon and delete the local copy.",
        discussion: """
            The local session file is deleted even when the daemon cannot be reached (a warning says that \
            the session then stays valid on the daemon until it expires); the exit status is still 0.

            Examples:
              pamtoken logout
              pamtoken logout --url http://127.0.0.1:8719
            """)

    @OptionGroup var daemon: DaemonOptions

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        let file = try await SessionFile.locate(address: address, context: context)
        let api = context.daemon(address)
        // Under the lock, so no `pamtoken token` rotates the refresh token between our read and the revocation.
        let outcome = try await file.withLock { () async throws -> (session: StoredSession?, damaged: Bool, revoked: Bool) in
            let session: StoredSession?
            do {
                session = try file.load()
            } catch {
                try file.delete()
                return (nil, true, false)
            }
            guard let session else { return (nil, false, false) }
            var revoked = false
            do {
                try await api.revoke(session.refreshToken)
                revoked = true
            } catch let error as DaemonClientError {
                context.warn("\(error.description); the session was deleted here but stays valid on the daemon until it expires")
            } catch let error as DaemonError {
                context.warn("\(error.description); the session was deleted here but may stay valid on the daemon until it expires")
            }
            try file.delete()
            return (session, false, revoked)
        }
        if outcome.damaged {
            context.note("Deleted a damaged session file for \(address).")
        } else if let session = outcome.session {
            context.note(
                outcome.revoked
                    ? "Logged out of \(address) (session \(session.sessionID) revoked)."
                    : "Logged out of \(address) locally (session \(session.sessionID) not revoked).")
        } else {
            context.note("pamtoken: not logged in to \(address)")
        }
    }
}
