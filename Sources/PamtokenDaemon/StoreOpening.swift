public import DaemonConfig
import Foundation
public import Logging
import PostgresNIO
import PostgresStore
import ServiceLifecycle
import Synchronization
import TokenCore
public import TokenStore

/// Opens the configured store: SQLite in the state directory, or PostgreSQL (`store = "postgresql://…"`),
/// whose pool is then started, the schema brought up to date, and returned as the service that keeps
/// the pool running until the daemon stops.
func openStore(
    _ config: DaemonConfiguration, clock: any WallClock, logger: Logger
) async throws
    -> (any SessionStorage, PostgresPoolService?)
{
    try await openStore(
        config.store.isEmpty ? config.stateDirectory + "/pamtoken.sqlite" : config.store, config: config, clock: clock, logger: logger)
}

/// Opens the store at `location`: a `postgresql://` URL (with the password file and pool size of
/// `config`), or else the path of a SQLite database.
func openStore(
    _ location: String, config: DaemonConfiguration, clock: any WallClock, logger: Logger
) async throws
    -> (any SessionStorage, PostgresPoolService?)
{
    guard location.hasPrefix("postgresql://") || location.hasPrefix("postgres://") else {
        do {
            return (try SessionStore.open(path: location, durability: config.durableCommits ? .full : .normal, clock: clock), nil)
        } catch {
            throw Daemon.StartupError(description: "\(error)")
        }
    }
    let configuration: PostgresClient.Configuration
    do {
        let location = try PostgresLocation(url: location)
        let password = try config.storePasswordFile.isEmpty ? passwordFromPgPass(location) : readPasswordFile(config.storePasswordFile)
        configuration = try location.clientConfiguration(password: password, poolSize: config.storePoolSize)
        try await location.probe(password: password, logger: logger)
    } catch {
        throw Daemon.StartupError(description: "store: \(error)")
    }
    let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    let running = Task { await client.run() }
    let store = PostgresSessionStore(client: client, clock: clock, logger: logger)
    do {
        let applied = try await store.migrate()
        logger.notice("session store: PostgreSQL", metadata: ["migrations_applied": "\(applied)", "pool": "\(config.storePoolSize)"])
    } catch {
        running.cancel()
        throw Daemon.StartupError(description: "store: cannot prepare the PostgreSQL database: \(String(reflecting: error))")
    }
    return (store, PostgresPoolService(running: running))
}

/// The PostgreSQL password from its file: the first line, without its line end. The file must be a
/// regular file of ours that only we may read (as libpq demands of `.pgpass`) — opened without
/// following links, checked on the descriptor it was read from.
private func readPasswordFile(_ path: String) throws -> String {
    let data: Data
    do {
        data = try PrivateFiles.readOwned(path)
    } catch {
        throw StoreSetupError("store_password_file \(path): \(error)")
    }
    let line = String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.first ?? ""
    return String(line.hasSuffix("\r") ? line.dropLast() : line)
}

/// Without `store_password_file`, the password libpq would use: from the file `PGPASSFILE` names, or
/// else `~/.pgpass` when there is one — held to the same rule (ours, readable by us only).
private func passwordFromPgPass(_ location: PostgresLocation) throws -> String? {
    let environment = ProcessInfo.processInfo.environment
    let path: String
    if let named = environment["PGPASSFILE"], !named.isEmpty {
        // As libpq: a file that is not there is no password, not an error.
        guard FileManager.default.fileExists(atPath: named) else { return nil }
        path = named
    } else if let home = environment["HOME"], !home.isEmpty, FileManager.default.fileExists(atPath: home + "/.pgpass") {
        path = home + "/.pgpass"
    } else {
        return nil
    }
    do {
        return PasswordFile.password(for: location, in: String(decoding: try PrivateFiles.readOwned(path), as: UTF8.self))
    } catch {
        throw StoreSetupError("password file \(path): \(error)")
    }
}

private struct StoreSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Keeps the PostgreSQL pool running while the daemon serves, and closes it when the daemon stops.
struct PostgresPoolService: Service {
    let running: Task<Void, Never>

    /// How long the daemon waits for the pool to close once told to stop.
    static let closeDeadline = Duration.seconds(5)

    func run() async throws {
        // Cancellation too (SIGQUIT, the group's shutdown deadline): the pool's task ignores a cancelled
        // waiter, so it is cancelled itself. A pool that does not end within `closeDeadline` (a
        // connection stuck as `PostgresSessionStore.whileOpen` describes) is left behind: the process
        // is about to exit, and a daemon that never stops would be worse.
        let ended = Signal()
        await withTaskCancellationOrGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                ended.wait(continuation)
                Task {
                    await running.value
                    ended.fire()
                }
            }
        } onCancelOrGracefulShutdown: {
            running.cancel()
            Task {
                try? await Task.sleep(for: Self.closeDeadline)
                ended.fire()
            }
        }
    }

    /// Closes the pool outside a service group (`--migrate-store`).
    func stop() async {
        running.cancel()
        await running.value
    }
}

/// Whether two locations name one store: the same URL, or two spellings (links included) of one file.
/// Copying a store into itself would only fail later, at its own lock, with a misleading message.
private func isSameStore(_ first: String, _ second: String) -> Bool {
    if first == second { return true }
    func identity(_ path: String) -> [Int]? {
        guard !path.hasPrefix("postgresql://"), !path.hasPrefix("postgres://"),
            // attributesOfItem describes a link itself, not what it points to.
            let attributes = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path),
            let device = (attributes[.systemNumber] as? NSNumber)?.intValue,
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue
        else { return nil }
        return [device, inode]
    }
    guard let one = identity(first), let other = identity(second) else { return false }
    return one == other
}

/// A continuation resumed by the first of several firings, whenever it is installed.
private final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))

    func wait(_ continuation: CheckedContinuation<Void, Never>) {
        let resumeNow = state.withLock { state in
            if state.fired { return true }
            state.waiting = continuation
            return false
        }
        if resumeNow { continuation.resume() }
    }

    func fire() {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.fired = true
            return state.waiting.take()
        }
        waiting?.resume()
    }
}

/// `pamtokend --migrate-store FROM TO` (docs/fleet.md): copies every session, refresh token, browser
/// cookie and authorization code of one store into another — SQLite to PostgreSQL when a host joins a
/// fleet, or back — so that nobody has to log in again. Rows already in TO are left as they are, so
/// running it twice copies nothing twice. Stop the daemon first: sessions changed during the copy
/// would be copied as they were (a SQLite store that a daemon has open is refused: `StoreLock`).
public func migrateStore(
    from source: String, to target: String, configuration: DaemonConfiguration, logger: Logger
) async throws
    -> (StoreSnapshot, RestoreReport)
{
    let clock = SystemClock()
    // A mistyped source must not be created empty and "copied": a SQLite source has to exist.
    if !source.hasPrefix("postgresql://"), !source.hasPrefix("postgres://"), !FileManager.default.fileExists(atPath: source) {
        throw StoreSetupError("\(source): no such SQLite database (FROM must exist)")
    }
    if isSameStore(source, target) { throw StoreSetupError("FROM and TO are the same store: \(source)") }
    let (from, fromPool) = try await openStore(source, config: configuration, clock: clock, logger: logger)
    let opened: (any SessionStorage, PostgresPoolService?)
    do {
        opened = try await openStore(target, config: configuration, clock: clock, logger: logger)
    } catch {
        await fromPool?.stop()
        throw error
    }
    let (to, toPool) = opened
    let result: Result<(StoreSnapshot, RestoreReport), any Error>
    do {
        let snapshot = try await from.snapshot()
        result = .success((snapshot, try await to.restore(snapshot)))
    } catch {
        result = .failure(error)
    }
    try? await from.close()
    try? await to.close()
    await fromPool?.stop()
    await toPool?.stop()
    return try result.get()
}
