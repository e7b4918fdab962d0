import Foundation
import TestSupport
import Testing
import TokenStore

#if canImport(Glibc)
import Glibc
#endif

/// One process at a time per SQLite store (`StoreLock`): the liveness cache is exact only while every
/// revocation goes through this process's writer.
@Suite("The SQLite store is one process's at a time")
struct StoreLockTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-lock-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    @Test("a second open is refused with the holder's pid until the first closes; the lock file is 0600")
    func secondOpen() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        let first = try SessionStore.open(path: path, clock: ManualClock())
        #expect {
            _ = try SessionStore.open(path: path, clock: ManualClock())
        } throws: { error in
            guard case .inUse(let held, let holder) = error as? StoreError else { return false }
            return held == path && holder == getpid()
                && "\(error)"
                    == "the session database \(path) is in use by process \(getpid()) (a pamtokend on the same state directory?); stop it first"
        }
        var info = stat()
        #expect(stat(path + "-lock", &info) == 0 && info.st_mode & 0o777 == 0o600)

        try first.close()
        let second = try SessionStore.open(path: path, clock: ManualClock())
        try second.close()
    }

    @Test("the lock goes with the store: a store dropped without close frees the file")
    func droppedStore() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        do { _ = try SessionStore.open(path: path, clock: ManualClock()) }
        #expect(throws: Never.self) { try SessionStore.open(path: path, clock: ManualClock()).close() }
    }

    @Test("root gives a lock file it creates the database's owner, as SQLite does its -wal", .enabled(if: geteuid() == 0))
    func ownerAsRoot() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        try SessionStore.open(path: path, clock: ManualClock()).close()
        try FileManager.default.removeItem(atPath: path + "-lock")
        #expect(chown(path, 65534, 65534) == 0)
        try SessionStore.open(path: path, clock: ManualClock()).close()
        var info = stat()
        #expect(stat(path + "-lock", &info) == 0 && info.st_uid == 65534 && info.st_gid == 65534)
    }

    @Test("a lock file that is a symbolic link, a hard link or someone else's is refused, not used")
    func plantedFiles() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        let target = directory + "/elsewhere"
        try FileManager.default.createSymbolicLink(atPath: path + "-lock", withDestinationPath: target)
        #expect(Self.refusal(path)?.contains("is a symbolic link") == true)
        #expect(!FileManager.default.fileExists(atPath: target))

        try FileManager.default.removeItem(atPath: path + "-lock")
        try "keep me".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.linkItem(atPath: target, toPath: path + "-lock")
        #expect(Self.refusal(path)?.contains("other hard links") == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep me", "a hard link's target is not truncated")

        if geteuid() == 0 {
            try FileManager.default.removeItem(atPath: path + "-lock")
            #expect(FileManager.default.createFile(atPath: path + "-lock", contents: Data("1\n".utf8)))
            #expect(chown(path + "-lock", 65534, 65534) == 0)
            #expect(Self.refusal(path)?.contains("belongs to uid 65534") == true)
        }
    }

    @Test("a symbolic link to the database shares the database's lock")
    func linkedDatabase() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        let first = try SessionStore.open(path: path, clock: ManualClock())
        defer { try? first.close() }
        try FileManager.default.createSymbolicLink(atPath: directory + "/alias.sqlite", withDestinationPath: path)
        #expect(throws: StoreError.inUse(path: directory + "/alias.sqlite", holder: getpid())) {
            try SessionStore.open(path: directory + "/alias.sqlite", clock: ManualClock())
        }
    }

    /// The reason `open` gave for refusing the lock file, when it did.
    private static func refusal(_ path: String) -> String? {
        do {
            try SessionStore.open(path: path, clock: ManualClock()).close()
            return nil
        } catch StoreError.cannotOpen(_, let reason) {
            return reason
        } catch {
            return "\(error)"
        }
    }
}
