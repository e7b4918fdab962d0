import Foundation
import Synchronization
import TokenCore

#if canImport(Glibc)
import Glibc
#endif

/// One process at a time per SQLite store: an exclusive `flock(2)` on `<database>-lock`, held from
/// open to close.
///
/// ``SessionLiveness`` answers bearer requests from memory, trusting that every revocation commits
/// through this process's writer. A second writer on the same file — another `pamtokend` given the
/// same state directory, or `--migrate-store` while the daemon runs — would revoke sessions this
/// process keeps accepting until they expire. The lock turns that into a refusal to open. It is
/// advisory: it holds off pamtokend, not the `sqlite3` shell.
///
/// A file of its own rather than a lock on the database: SQLite takes POSIX record locks on the
/// database, and where `flock` is emulated with those (NFS) the two would interfere. It sits beside
/// the database's real path, so a symbolic link to the database (which SQLite resolves for its -wal)
/// shares it. The kernel drops the lock when the process ends, however it ends, so a crash never
/// leaves the store locked; the file stays (removing it would race with the next holder). It holds
/// the holder's pid, which is only for the message: the lock, not the file's content, decides.
final class StoreLock: Sendable {
    /// The lock file.
    let path: String
    private let descriptor: Mutex<Int32?>

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the lock of the database at `databasePath`, without waiting: a holder is another live
    /// process, and waiting for it would hang a start that should fail with a reason.
    static func acquire(database databasePath: String) throws(StoreError) -> StoreLock {
        let database = URL(fileURLWithPath: databasePath).resolvingSymlinksInPath().path
        let path = database + "-lock"
        // Root (`--migrate-store` run by an admin) may use, and gives, the database owner's file, as
        // SQLite does its -wal and -shm: so that the service user can still take the lock afterwards.
        let owner = geteuid() == 0 ? PrivateFiles.regularFileOwner(database) : nil
        let fd: Int32
        do {
            // A planted file could be held to fake a holder, or be a hard link we would truncate.
            fd = try PrivateFiles.openOwnedInPlace(path, alsoOwnedBy: owner?.uid)
        } catch {
            if case .io(_, let reason) = error { throw .cannotOpen(path: path, reason: reason) }
            throw .cannotOpen(path: path, reason: "\(error)")
        }
        var locked = flock(fd, LOCK_EX | LOCK_NB)
        while locked != 0, errno == EINTR { locked = flock(fd, LOCK_EX | LOCK_NB) }
        guard locked == 0 else {
            let failure: StoreError =
                errno == EWOULDBLOCK
                ? .inUse(path: databasePath, holder: holder(fd)) : .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            close(fd)
            throw failure
        }
        if let owner { _ = fchown(fd, owner.uid, owner.gid) }
        // The pid, for the next one's message; a failed write costs only that.
        if ftruncate(fd, 0) == 0 {
            let text = Array("\(getpid())\n".utf8)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        return StoreLock(path: path, descriptor: fd)
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        if let fd = descriptor.withLock({ $0.take() }) { close(fd) }
    }

    deinit { release() }

    /// The pid the holder wrote, read from the descriptor already checked.
    private static func holder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0, count < buffer.count else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
