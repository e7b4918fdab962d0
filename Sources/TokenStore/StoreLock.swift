import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif
// `struct stat` is claimed by whichever of these modules the compiler saw first, which differs between
// a clean build and an incremental one (as in TokenCore's PrivateFiles+Owned): import every one.
#if canImport(CoreFoundation)
import CoreFoundation
#endif
#if canImport(CDispatch)
import CDispatch
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
        // O_NONBLOCK: a FIFO planted in its place must not hang the open before fstat refuses it.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            throw .cannotOpen(path: path, reason: errno == ELOOP ? "is a symbolic link; refusing to follow it" : lastError())
        }
        do throws(StoreError) {
            let owner = try checkLockFile(fd, path: path, database: database)
            // Ours or, for root, the database owner's: tightening it is safe, truncating it below too.
            _ = fchmod(fd, 0o600)
            var locked = flock(fd, LOCK_EX | LOCK_NB)
            while locked != 0, errno == EINTR { locked = flock(fd, LOCK_EX | LOCK_NB) }
            guard locked == 0 else {
                if errno == EWOULDBLOCK { throw .inUse(path: databasePath, holder: holder(fd)) }
                throw .cannotOpen(path: path, reason: lastError())
            }
            // As SQLite does for its -wal and -shm files: root (`--migrate-store` run by an admin) gives
            // the file the database's owner, so that the service user can still take the lock.
            if let owner { _ = fchown(fd, owner.uid, owner.gid) }
            // The pid, for the next one's message; a failed write costs only that.
            if ftruncate(fd, 0) == 0 {
                let text = Array("\(getpid())\n".utf8)
                _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            }
        } catch {
            close(fd)
            throw error
        }
        return StoreLock(path: path, descriptor: fd)
    }

    /// Releases the lock; later calls do nothing.
    func release() {
        if let fd = descriptor.withLock({ $0.take() }) { close(fd) }
    }

    deinit { release() }

    /// Refuses a lock file that is not a plain file of ours — in a directory others can write to, a
    /// planted file could be held to fake a holder, or be a hard link to a file we would truncate.
    /// Returns, for root, the existing database's owner, whose the file is to be (nil: leave it).
    private static func checkLockFile(_ fd: Int32, path: String, database: String) throws(StoreError) -> (uid: uid_t, gid: gid_t)? {
        var file = stat()
        guard fstat(fd, &file) == 0 else { throw .cannotOpen(path: path, reason: lastError()) }
        guard file.st_mode & S_IFMT == S_IFREG else { throw .cannotOpen(path: path, reason: "is not a regular file") }
        guard file.st_nlink == 1 else { throw .cannotOpen(path: path, reason: "has other hard links; refusing to use it") }
        let euid = geteuid()
        var owner: (uid: uid_t, gid: gid_t)?
        var existing = stat()
        if euid == 0, lstat(database, &existing) == 0, existing.st_mode & S_IFMT == S_IFREG {
            owner = (existing.st_uid, existing.st_gid)
        }
        guard file.st_uid == euid || file.st_uid == owner?.uid else {
            throw .cannotOpen(path: path, reason: "belongs to uid \(file.st_uid), not to uid \(euid); refusing to use it")
        }
        return owner
    }

    /// The pid the holder wrote, read from the descriptor already checked.
    private static func holder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0, count < buffer.count else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
