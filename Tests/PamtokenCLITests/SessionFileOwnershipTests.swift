import Foundation
import Synchronization
import Testing
import TokenCore

@testable import PamtokenCLI

/// Root running `pamtoken` with a user-controlled `HOME` or `XDG_RUNTIME_DIR` must not be fed a
/// session that user planted: the file is opened without following links and must be the caller's.
@Suite("Session files: planted links and other users' files are refused")
struct SessionFileOwnershipTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ptcli-owner-\(UUID().uuidString)").path
    let address = DaemonAddress.unix(path: "/tmp/owner-test.sock")

    var file: SessionFile { SessionFile(SessionPaths(directory: root + "/pamtoken", address: address)) }

    func saveOne() throws -> StoredSession {
        let session = try StoredSession(response: SessionFileTests.response(), address: address, now: Date())
        try file.save(session)
        return session
    }

    @Test("a session file that is a symbolic link is refused, even to a good file")
    func symlinkRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let session = try saveOne()
        let elsewhere = root + "/planted.json"
        try FileManager.default.moveItem(atPath: file.paths.sessionFile, toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: file.paths.sessionFile, withDestinationPath: elsewhere)
        let error = #expect(throws: CLIError.self) { try file.load() }
        #expect("\(error!)".contains("symbolic link"))
        // Logging in again replaces the link itself, never writing through it.
        let planted = try Data(contentsOf: URL(fileURLWithPath: elsewhere))
        try file.save(session)
        let type = try FileManager.default.attributesOfItem(atPath: file.paths.sessionFile)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
        #expect(try Data(contentsOf: URL(fileURLWithPath: elsewhere)) == planted)
        #expect(try file.load() == session)
    }

    @Test("a session file owned by another uid is refused, whatever its mode", .enabled(if: geteuid() == 0, "only root can give a file away"))
    func otherOwnerRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try saveOne()
        #expect(chown(file.paths.sessionFile, 4242, 4242) == 0)
        let error = #expect(throws: CLIError.self) { try file.load() }
        #expect("\(error!)".contains("belongs to uid 4242"))
    }

    @Test("a FIFO planted as the session file is refused at once, not waited on")
    func fifoRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try file.ensureDirectory()
        #expect(mkfifo(file.paths.sessionFile, 0o600) == 0)
        let outcome = Mutex<Result<StoredSession?, CLIError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let file = self.file
        Thread.detachNewThread {
            outcome.withLock { $0 = Result { () throws(CLIError) in try file.load() } }
            done.signal()
        }
        // A regression would block in open(2); the test then fails here instead of hanging the suite.
        try #require(done.wait(timeout: .now() + 10) == .success, "load() blocked on a FIFO")
        let result = try #require(outcome.withLock { $0 })
        #expect(throws: CLIError.self) { try result.get() }
    }

    @Test("a session directory owned by another uid, or a link to a directory, is refused")
    func otherDirectoryRefused() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try saveOne()
        let real = root + "/pamtoken"
        try FileManager.default.moveItem(atPath: real, toPath: root + "/real")
        try FileManager.default.createSymbolicLink(atPath: real, withDestinationPath: root + "/real")
        #expect(throws: CLIError.self) { try file.load() }
        #expect(throws: CLIError.self) { try file.ensureDirectory() }
        try FileManager.default.removeItem(atPath: real)
        try FileManager.default.moveItem(atPath: root + "/real", toPath: real)
        #expect(try file.load() != nil)
        guard geteuid() == 0 else { return }  // giving the directory away needs root (CI runs as root)
        #expect(chown(real, 4242, 4242) == 0)
        let error = #expect(throws: CLIError.self) { try file.load() }
        #expect("\(error!)".contains("belongs to uid 4242"))
    }
}
