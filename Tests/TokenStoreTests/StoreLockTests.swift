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
        try SessionStore.open(path: path, clock: ManualClock()).close()
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

    @Test("a lock file that is a symbolic link is not followed")
    func symlink() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/pamtoken.sqlite"
        let target = directory + "/elsewhere"
        try FileManager.default.createSymbolicLink(atPath: path + "-lock", withDestinationPath: target)
        #expect(throws: StoreError.self) { try SessionStore.open(path: path, clock: ManualClock()) }
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
