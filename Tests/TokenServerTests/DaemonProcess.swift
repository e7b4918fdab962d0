import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The real `pamtokend` executable, started as a child process (built next to the test bundle).
struct DaemonProcess {
    let process = Process()
    private let output = Pipe()

    static var binary: URL { URL(fileURLWithPath: ChildProcess.builtProduct("pamtokend")) }

    /// Starts `executable arguments` with `environment` added to ours (PAMTOKEN_* of the test run removed).
    init(executable: URL = DaemonProcess.binary, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PAMTOKEN_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET"
        }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
    }

    /// Runs the process and returns its exit status once it has exited (the termination handler resumes us).
    func start() throws -> Task<Int32, Never> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = {
            continuation.yield($0.terminationStatus)
            continuation.finish()
        }
        try process.run()
        return Task {
            for await status in stream { return status }
            return -1
        }
    }

    /// Everything the process wrote (call after it has exited).
    var log: String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }
}
