import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair with a child process whose controlling terminal is its slave side, so that
/// the child's `open("/dev/tty")`, termios echo and Ctrl-C behave as for a person at a terminal.
///
/// The child is started through util-linux `setsid -c -w` (a new session whose controlling terminal is
/// standard input, waiting for the program and passing on its exit status): Foundation's `Process`
/// cannot make a terminal controlling by itself, and forking a Swift process is not safe.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    private(set) var slave: Int32
    private let transcript = Transcript()
    private let updates: AsyncStream<Void>
    private let updated: AsyncStream<Void>.Continuation

    init() throws {
        // posix_openpt/grantpt/unlockpt/ptsname are hidden from Swift's Glibc module (they need
        // _XOPEN_SOURCE), so this is what they do on Linux: open the multiplexer, unlock the slave, ask
        // its number. The ioctl numbers are function-like macros in C, hence spelled out.
        let unlock: UInt = 0x4004_5431  // TIOCSPTLCK = _IOW('T', 0x31, int)
        let number: UInt = 0x8004_5430  // TIOCGPTN = _IOR('T', 0x30, unsigned int)
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var locked: Int32 = 0
        var index: UInt32 = 0
        guard master >= 0, ioctl(master, unlock, &locked) == 0, ioctl(master, number, &index) == 0 else {
            throw LiveDaemonError("cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        slave = open("/dev/pts/\(index)", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard slave >= 0 else { throw LiveDaemonError("cannot open the pseudo-terminal's slave side") }
        (updates, updated) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        // Read everything the child writes, on a thread of its own, until the slave side is gone (EIO).
        Thread.detachNewThread { [master, transcript, updated] in
            var buffer = [UInt8](repeating: 0, count: 1024)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                transcript.bytes.withLock { $0 += buffer.prefix(count) }
                updated.yield()
            }
            updated.finish()
        }
    }

    deinit {
        if slave >= 0 { close(slave) }
        close(master)
    }

    /// Starts `executable arguments` on the terminal; returns its exit status when it ends.
    func start(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> Task<Int32, Never> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
        process.arguments = ["-c", "-w", executable] + arguments
        process.environment = ChildProcess.environment(adding: environment)
        let handle = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
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

    var output: String { transcript.bytes.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits until the child has written `text` (or the terminal closed first).
    func waitFor(_ text: String) async -> Bool {
        if output.contains(text) { return true }
        for await _ in updates where output.contains(text) { return true }
        return output.contains(text)
    }

    /// Types `text` as if at the keyboard.
    func type(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
    }

    /// Whether the terminal echoes input now (the ECHO local mode flag).
    var echoes: Bool {
        var settings = termios()
        tcgetattr(slave, &settings)
        return settings.c_lflag & tcflag_t(ECHO) != 0
    }

    /// Closes our slave side, so the reader sees end-of-file once the child's copies are gone too, and
    /// waits for that.
    func finish() async -> String {
        close(slave)
        slave = -1
        for await _ in updates {}
        return output
    }
}

/// What the child wrote, shared with the reader thread.
private final class Transcript: Sendable {
    let bytes = Mutex<[UInt8]>([])
}
