import Foundation

/// Runs a built executable as a child process and waits for it without polling (the termination
/// handler resumes the caller). Output is captured through pipes, read after the exit: our children
/// print a few lines, far below a pipe's buffer.
public enum ChildProcess {
    public struct Outcome: CustomStringConvertible, Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        public var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// The products of this package are built next to the test bundle (`swift build --build-tests`).
    public static func builtProduct(_ name: String) -> String {
        let executable = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The test run's environment without anything that would point a child at another daemon.
    public static func environment(adding extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("PAMTOKEN_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET" && $0.key != "XDG_RUNTIME_DIR"
        }
        environment.merge(extra) { $1 }
        return environment
    }

    public static func run(_ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = Self.environment(adding: environment)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        let status = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            if let stdin {
                input.fileHandleForWriting.write(Data(stdin.utf8))
                try? input.fileHandleForWriting.close()
            }
        }
        return Outcome(
            status: status,
            stdout: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            stderr: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}
