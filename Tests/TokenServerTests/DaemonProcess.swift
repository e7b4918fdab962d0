import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The real `pamtokend` executable, started as a child process (built next to the test bundle).
struct DaemonProcess {
    let process = Process()
    private let output = Pipe()

    static var binary: URL {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        return executable.deletingLastPathComponent().appendingPathComponent("pamtokend")
    }

    /// Starts `executable arguments` with `environment` added to ours (PAMTOKEN_* of the test run removed).
    init(executable: URL = DaemonProcess.binary, arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PAMTOKEN_") && !$0.key.hasPrefix("LISTEN_") && $0.key != "NOTIFY_SOCKET" }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
    }

    /// Runs the process and returns its exit status once it has exited (the termination handler resumes us).
    func start() throws -> Task<Int32, Never> {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
        try process.run()
        return Task { for await status in stream { return status }; return -1 }
    }

    /// Everything the process wrote (call after it has exited).
    var log: String {
        String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }
}

/// A `NOTIFY_SOCKET` for a child, as systemd would provide: a datagram socket we read notifications from.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32

    init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)  // a safety net: a test never waits forever
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next notification, received on a thread of its own (recv blocks).
    func next() async -> String? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { [fd] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                let count = recv(fd, &buffer, buffer.count, 0)
                continuation.resume(returning: count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil)
            }
        }
    }
}
