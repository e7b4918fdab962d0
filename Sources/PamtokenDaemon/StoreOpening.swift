import DaemonConfig
import Foundation
import Logging
import PostgresNIO
import PostgresStore
import ServiceLifecycle
import TokenCore
import TokenStore

/// Opens the configured store: SQLite in the state directory, or PostgreSQL (`store = "postgresql://…"`),
/// whose pool is then started, the schema brought up to date, and returned as the service that keeps
/// the pool running until the daemon stops.
func openStore(_ config: DaemonConfiguration, clock: any WallClock, logger: Logger) async throws -> (any SessionStorage, (any Service)?) {
    guard !config.store.isEmpty else {
        do {
            let store = try SessionStore.open(
                path: config.stateDirectory + "/pamtoken.sqlite", durability: config.durableCommits ? .full : .normal, clock: clock)
            return (store, nil)
        } catch {
            throw Daemon.StartupError(description: "\(error)")
        }
    }
    let configuration: PostgresClient.Configuration
    do {
        let location = try PostgresLocation(url: config.store)
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
}
