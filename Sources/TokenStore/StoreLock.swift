import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One process at a time per SQLite store: an exclusive `flock(2)` on `<database>-lock`, held from
/// open to close.
///
/// ``SessionLiveness`` answers bearer requests from memory, trusting that every revocation commits
/// through this process's writer. A second writer on the same file — another `pamtokend` given the
/// same state directory, or `--migrate-store` while the daemon runs — would revoke sessions this
/// process keeps accepting until they expire. The lock turns that into a refusal to open.
///
/// A file of its own rather than a lock on the database: SQLite takes POSIX record locks on the
/// database, and where `flock` is emulated with those (NFS) the two would interfere. The kernel drops
/// the lock when the process ends, however it ends, so a crash never leaves the store locked; the file
/// itself stays (removing it would race with the next holder). It holds the holder's pid, which is
/// only for the message: the lock, not the file's content, decides.
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
        let path = databasePath + "-lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        var locked = flock(fd, LOCK_EX | LOCK_NB)
        while locked != 0, errno == EINTR { locked = flock(fd, LOCK_EX | LOCK_NB) }
        guard locked == 0 else {
            let reason = errno
            close(fd)
            if reason == EWOULDBLOCK { throw .inUse(path: databasePath, holder: holder(path)) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(reason)))
        }
        _ = fchmod(fd, 0o600)
        // As SQLite does for its -wal and -shm files: root (`--migrate-store` run by an admin) gives the
        // file the database's owner, so that the service user can still take the lock afterwards.
        var database = stat()
        if geteuid() == 0, stat(databasePath, &database) == 0 { _ = fchown(fd, database.st_uid, database.st_gid) }
        // The pid, for the next one's message; a failed write costs only that.
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        if ftruncate(fd, 0) == 0 {
            try? handle.write(contentsOf: Data("\(getpid())\n".utf8))
        }
        return StoreLock(path: path, descriptor: fd)
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        if let fd = descriptor.withLock({ $0.take() }) { close(fd) }
    }

    deinit { release() }

    /// The pid the holder wrote, when the file says one.
    private static func holder(_ path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 16 else { return nil }
        return Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
