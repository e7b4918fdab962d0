import Foundation
import PamtokenCLI
import TestSupport
import TokenCore

#if canImport(Glibc)
import Glibc
#endif

/// A real `pamtokend` process on a temporary Unix socket, authenticating with real libpam under
/// pam_wrapper: the `pamtoken` service is pam_matrix with a private password file, so no system
/// configuration is touched. The daemon also resolves the user with `getpwnam`, so the test user is
/// `root` (the tests run as root, here and in CI) with a password only this file knows.
/// `@unchecked Sendable`: the `Process` is only signalled after start, its state set once in `init`.
final class LiveDaemon: @unchecked Sendable {
    static let user = "root"
    static let password = "s3cret"
    static let wrapperLibrary = "/usr/lib/x86_64-linux-gnu/libpam_wrapper.so"
    static let matrixModule = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
    static let denyModule = "/lib/x86_64-linux-gnu/security/pam_deny.so"

    let directory: String
    let socket: String
    /// The loopback TCP port, when the daemon was asked to listen on one too.
    let tcpPort: Int?
    private let process: Process
    private let exit: Task<Int32, Never>

    /// Runs `body` with a started daemon and stops it afterwards, whatever `body` did.
    static func with(
        accessTTL: Int = 300, tcp: Bool = false, audiences: [String] = [], _ body: (LiveDaemon) async throws -> Void
    ) async throws {
        let daemon = try await LiveDaemon(accessTTL: accessTTL, tcp: tcp, audiences: audiences)
        do {
            try await body(daemon)
        } catch {
            await daemon.stop()
            throw error
        }
        await daemon.stop()
    }

    private init(accessTTL: Int, tcp: Bool, audiences: [String]) async throws {
        // Short: a Unix socket path must fit in 108 bytes.
        directory = "/tmp/ptcli-" + UUID().uuidString.prefix(8).lowercased()
        socket = directory + "/run/pamtoken.sock"
        tcpPort = tcp ? try Self.freeLoopbackPort() : nil
        let files = FileManager.default
        try files.createDirectory(atPath: directory + "/pam.d", withIntermediateDirectories: true)
        try "\(Self.user):\(Self.password):pamtoken\n".write(toFile: directory + "/passdb", atomically: true, encoding: .utf8)
        let matrix = "\(Self.matrixModule) passdb=\(directory)/passdb"
        try "auth required \(matrix)\naccount required \(matrix)\n".write(toFile: directory + "/pam.d/pamtoken", atomically: true, encoding: .utf8)
        try "auth required \(Self.denyModule)\naccount required \(Self.denyModule)\n".write(
            toFile: directory + "/pam.d/other", atomically: true, encoding: .utf8)
        // No artificial delay after a failed login: the wrong-password test need not wait a second.
        // The test user is root, a system account, which the daemon refuses unless told otherwise.
        try "failure_delay_ms = 0\nallow_system_users = true\n".write(toFile: directory + "/config.toml", atomically: true, encoding: .utf8)

        let notify = NotifySocket(path: directory + "/notify.sock")
        let process = Process()
        self.process = process
        process.executableURL = URL(fileURLWithPath: ChildProcess.builtProduct("pamtokend"))
        process.arguments =
            [
                "--config", directory + "/config.toml", "--state-dir", directory + "/state", "--listen", "unix:" + socket,
                "--access-ttl", String(accessTTL),
            ] + (tcpPort.map { ["--listen", "tcp:127.0.0.1:\($0)"] } ?? []) + audiences.flatMap { ["--audience", $0] }
        process.environment = ChildProcess.environment(adding: [
            "LD_PRELOAD": Self.wrapperLibrary, "PAM_WRAPPER": "1", "PAM_WRAPPER_SERVICE_DIR": directory + "/pam.d",
            "NOTIFY_SOCKET": notify.path,
        ])
        _ = files.createFile(atPath: directory + "/daemon.log", contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: directory + "/daemon.log")
        process.standardError = process.standardOutput
        process.standardInput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            continuation.yield($0.terminationStatus)
            continuation.finish()
        }
        let exit = Task {
            for await status in stream { return status }
            return -1
        }
        self.exit = exit
        // pam_wrapper sets itself up as the daemon starts: one such start at a time (PAMWrapperStarts).
        let ready = try await PAMWrapperStarts.shared.serialized {
            try process.run()
            return await notify.next()?.contains("READY=1") == true
        }
        guard ready else {
            process.terminate()
            _ = await exit.value
            throw LiveDaemonError("pamtokend did not become ready:\n\(log)")
        }
    }

    /// SIGTERM, then wait for the exit; the temporary directory goes with it.
    func stop() async {
        kill(process.processIdentifier, SIGTERM)
        _ = await exit.value
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A port nobody listens on now: bound to port 0, read back, released. Another process could take
    /// it before the daemon does, but the kernel hands out ephemeral ports in turn, so that is rare.
    private static func freeLoopbackPort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard fd >= 0, bound else { throw LiveDaemonError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    var log: String { (try? String(contentsOfFile: directory + "/daemon.log", encoding: .utf8)) ?? "" }

    /// The CLI's `XDG_RUNTIME_DIR` for this test.
    var runtimeDirectory: String { directory + "/xdg" }
    var environment: [String: String] { ["XDG_RUNTIME_DIR": runtimeDirectory] }
    var address: DaemonAddress { .unix(path: socket) }
    var paths: SessionPaths { SessionPaths(directory: runtimeDirectory + "/pamtoken", address: address) }

    /// `pamtoken ARGS --socket SOCKET` in-process, with this test's runtime directory.
    func cli(_ arguments: [String], stdin: String = "", terminal: ScriptedTerminal = ScriptedTerminal()) async -> CLIRun {
        await pamtoken(arguments + ["--socket", socket], stdin: stdin, environment: environment, terminal: terminal)
    }

    /// Logs in as the test user with `--password-stdin`.
    func login() async -> CLIRun {
        await cli(["login", "--password-stdin"], stdin: Self.password + "\n")
    }

    /// The built `pamtoken` executable as a separate process.
    func process(_ arguments: [String], stdin: String? = nil) async throws -> ChildProcess.Outcome {
        try await ChildProcess.run(ChildProcess.builtProduct("pamtoken"), arguments + ["--socket", socket], environment: environment, stdin: stdin)
    }

    /// The stored session, decoded.
    func storedSession() throws -> StoredSession? {
        guard FileManager.default.fileExists(atPath: paths.sessionFile) else { return nil }
        return try JSONDecoder().decode(StoredSession.self, from: try PrivateFiles.read(paths.sessionFile))
    }

    /// Rewrites the stored session (to age the cached access token without waiting).
    func updateStoredSession(_ change: (inout StoredSession) -> Void) throws {
        guard var session = try storedSession() else { throw LiveDaemonError("no stored session") }
        change(&session)
        try PrivateFiles.write(try JSONEncoder().encode(session), to: paths.sessionFile)
    }

    /// A counter from the daemon's `/metrics`, e.g. `pamtoken_refresh_rotations_total`.
    func metric(_ name: String) async throws -> Double? {
        let response = try await DaemonClient(address: address).send(.get("/metrics"))
        let text = String(decoding: response.body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }
}

struct LiveDaemonError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
