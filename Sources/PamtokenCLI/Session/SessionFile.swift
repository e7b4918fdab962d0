import Foundation
import PamtokenWire
import TokenCore

/// Reads, writes and deletes one daemon's session file, through TokenCore's `PrivateFiles`: the
/// directory is created 0700, the file is replaced atomically (`mkstemp` 0600, `fsync`, `rename`), and a
/// file or directory that others can read is refused rather than trusted. The file is opened without
/// following links and must belong to the user running the CLI, as must its directory: root running
/// `pamtoken` with another user's `HOME` must not be fed a session that user planted.
struct SessionFile: Sendable {
    let paths: SessionPaths

    init(_ paths: SessionPaths) {
        self.paths = paths
    }

    init(address: DaemonAddress, context: CLIContext) throws(CLIError) {
        let directory = try SessionPaths.directory(environment: context.environment, homeDirectory: context.homeDirectory)
        self.init(SessionPaths(directory: directory, address: address))
    }

    /// The session file for `address`; when it has none, the file of a session made through another
    /// address of the same daemon (the socket and `--url` lead to one issuer): sessions belong to the
    /// daemon, not to the way it was reached. Costs one discovery request, and only in that case, so
    /// the common path stays offline.
    static func locate(address: DaemonAddress, context: CLIContext) async throws -> SessionFile {
        let primary = try SessionFile(address: address, context: context)
        guard !FileManager.default.fileExists(atPath: primary.paths.sessionFile),
            let names = try? FileManager.default.contentsOfDirectory(atPath: primary.paths.directory)
        else { return primary }
        let candidates = names.filter { $0.hasPrefix("daemon-") && $0.hasSuffix(".json") && !$0.hasSuffix(".jwks.json") }.sorted()
        guard !candidates.isEmpty, let issuer = try? await context.daemon(address).metadata().issuer else { return primary }
        for name in candidates {
            let path = (primary.paths.directory as NSString).appendingPathComponent(name)
            guard let data = try? PrivateFiles.readOwned(path), let session = try? JSONCoding.decode(StoredSession.self, from: data),
                session.issuer == issuer, let other = DaemonAddress(session.daemon)
            else { continue }
            let file = SessionFile(SessionPaths(directory: primary.paths.directory, address: other))
            if file.paths.sessionFile == path { return file }
        }
        return primary
    }

    /// The stored session, or nil when there is none for this daemon.
    func load() throws(CLIError) -> StoredSession? {
        let data: Data
        do {
            guard try PrivateFiles.checkOwnedDirectory(paths.directory) else { return nil }
            // A dangling link counts as no session (the next save replaces it); any other link is refused.
            guard FileManager.default.fileExists(atPath: paths.sessionFile) else { return nil }
            data = try PrivateFiles.readOwned(paths.sessionFile)
        } catch {
            throw .refused(error.description)
        }
        guard let session = try? JSONCoding.decode(StoredSession.self, from: data), session.version == StoredSession.currentVersion else {
            throw .refused("the session file \(paths.sessionFile) is damaged; run 'pamtoken logout' and log in again")
        }
        // A name collision (or a file copied from elsewhere) is not this daemon's session.
        return session.daemon == paths.address.description ? session : nil
    }

    func save(_ session: StoredSession) throws(CLIError) {
        try ensureDirectory()
        let data: Data
        do {
            data = try JSONEncoder().encode(session)
        } catch {
            throw .refused("cannot encode the session: \(error)")
        }
        do {
            try PrivateFiles.write(data, to: paths.sessionFile)
        } catch {
            throw .refused(error.description)
        }
    }

    func delete() throws(CLIError) {
        do {
            try PrivateFiles.remove(paths.sessionFile)
        } catch {
            throw .refused(error.description)
        }
    }

    func ensureDirectory() throws(CLIError) {
        do {
            try PrivateFiles.createDirectory(paths.directory)
            try PrivateFiles.checkOwnedDirectory(paths.directory)
        } catch {
            throw .refused(error.description)
        }
    }

    /// Runs `body` holding the session's lock, so that read-check-refresh-write is one step for every
    /// `pamtoken` process of this user (see ``FileLock``).
    func withLock<T>(_ body: () async throws -> T) async throws -> T {
        try ensureDirectory()
        let lock = try await FileLock.acquire(paths.lockFile)
        defer { lock.release() }
        return try await body()
    }
}
