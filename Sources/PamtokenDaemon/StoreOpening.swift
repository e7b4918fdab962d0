public import DaemonConfig
import Foundation
public import Logging
import PostgresNIO
import PostgresStore
import ServiceLifecycle
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
        let password = try config.storePasswordFile.isEmpty ? nil : readPasswordFile(config.storePasswordFile)
        configuration = try location.clientConfiguration(password: password, poolSize: config.storePoolSize)
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

/// The PostgreSQL password from its file: one line, the file readable by its owner only (as libpq
/// demands of `.pgpass`), so that a password never sits where others can read it.
private func readPasswordFile(_ path: String) throws -> String {
    guard let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int else {
        throw StoreSetupError("cannot read store_password_file \(path)")
    }
    guard mode & 0o077 == 0 else {
        throw StoreSetupError("store_password_file \(path) is readable by others (mode \(String(mode & 0o777, radix: 8))); chmod 0600 it")
    }
    guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
        throw StoreSetupError("cannot read store_password_file \(path)")
    }
    return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
}

private struct StoreSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Keeps the PostgreSQL pool running while the daemon serves, and closes it when the daemon stops.
struct PostgresPoolService: Service {
    let running: Task<Void, Never>

    func run() async throws {
        await withGracefulShutdownHandler {
            await running.value
        } onGracefulShutdown: {
            running.cancel()
        }
    }

    /// Closes the pool outside a service group (`--migrate-store`).
    func stop() async {
        running.cancel()
        await running.value
    }
}

/// `pamtokend --migrate-store FROM TO` (docs/fleet.md): copies every session, refresh token, browser
/// cookie and authorization code of one store into another — SQLite to PostgreSQL when a host joins a
/// fleet, or back — so that nobody has to log in again. Rows already in TO are left as they are, so
/// running it twice copies nothing twice. Stop the daemon first: sessions changed during the copy
/// would be copied as they were.
public func migrateStore(
    from source: String, to target: String, configuration: DaemonConfiguration, logger: Logger
) async throws
    -> (StoreSnapshot, RestoreReport)
{
    let clock = SystemClock()
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
