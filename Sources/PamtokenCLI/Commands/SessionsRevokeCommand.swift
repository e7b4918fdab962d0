import ArgumentParser

/// `pamtoken sessions revoke ID`: `DELETE /sessions/{id}` for one of the caller's own sessions.
struct SessionsRevokeCommand: ContextualCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke one of your sessions (e.g. a forgotten login elsewhere).",
        discussion: """
            Revoking the current session also deletes the local copy, like logout.

            Examples:
              pamtoken sessions revoke mGH7ooyKQhSOtYIHMoZdWQ
            """)

    @OptionGroup var daemon: DaemonOptions

    /// An array collecting unrecognised words, because session ids are base64url and may begin with
    /// "-", which a plain argument would take for an option.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The session id, as 'pamtoken sessions' lists it.", valueName: "id"))
    var ids: [String] = []

    private var id: String { ids.first ?? "" }

    func validate() throws {
        guard ids.count == 1, !id.isEmpty else { throw ValidationError("Give one session id.") }
    }

    func run(in context: CLIContext) async throws {
        let address = try daemon.address(in: context)
        let manager = try await SessionManager.locating(address: address, context: context)
        do {
            try await manager.withAccessToken { try await manager.api.deleteSession(id: id, bearer: $0) }
        } catch let error as DaemonError where error.status == 404 {
            throw CLIError.refused("no such session of yours: \(id)")
        }
        if id == (try manager.file.load())?.sessionID {
            try await manager.file.withLock { try manager.file.delete() }
            context.note("Revoked session \(id), the current one; logged out of \(address).")
        } else {
            context.note("Revoked session \(id).")
        }
    }
}
