#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock(2)` on a file, held until ``release()`` (or until the process dies: the kernel
/// drops the lock with the last descriptor, so a crashed `pamtoken` never leaves a stale lock behind).
///
/// This is what makes `pamtoken token` safe when many processes of one user run it at once: they queue
/// here, and each re-reads the session file once it holds the lock, so only the first refreshes and the
/// others find its fresh token instead of presenting the now-used refresh token (which the daemon would
/// treat as token theft and answer by revoking the session, docs/api.md#refresh-token-grant).
final class FileLock: Sendable {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    /// Opens (creating, 0600) and locks `path`, waiting on a thread of its own for the current holder.
    static func acquire(_ path: String) async throws(CLIError) -> FileLock {
        let fd = try await Blocking.run { () throws(CLIError) -> Int32 in
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { throw .refused("cannot open the lock file \(path): \(String(cString: strerror(errno)))") }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw .refused("cannot lock \(path): \(reason)")
                }
            }
            return fd
        }
        return FileLock(fd: fd)
    }

    /// Unlocks by closing: the only descriptor of this open file description goes away with it.
    func release() {
        close(fd)
    }
}
