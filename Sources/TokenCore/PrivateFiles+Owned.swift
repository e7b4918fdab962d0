public import Foundation

#if canImport(Glibc)
import Glibc
#endif
// `struct stat` is claimed by whichever of these modules the compiler saw first, which differs between
// builds (the sanitizer build of the fuzz targets disagrees with the normal one, and a clean build
// with incremental ones): import every one that declares it.
#if canImport(CoreFoundation)
import CoreFoundation
#endif
#if canImport(CDispatch)
import CDispatch
#endif

extension PrivateFiles {
    /// Reads a secret file that must belong to the calling user: opened without following a symbolic
    /// link, then checked on the open descriptor (`fstat`) — a regular file, owned by the effective
    /// uid, no access for group or others — so it cannot be swapped between the check and the read.
    ///
    /// For files in a directory another user may control, such as a session under `$HOME` when root
    /// runs the CLI with someone else's environment: a planted file or link is refused, not believed.
    public static func readOwned(_ path: String) throws(KeyRingError) -> Data {
        // O_NONBLOCK: a FIFO planted in its place must not hang the open before fstat can refuse it
        // (regular files ignore the flag).
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            throw .io(path: path, reason: errno == ELOOP ? "is a symbolic link; refusing to follow it" : lastErrorText())
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .io(path: path, reason: lastErrorText()) }
        try checkOwned(status, path: path, kind: S_IFREG, kindName: "a regular file")
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, reason: lastErrorText())
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[0..<count])
            guard data.count <= 1 << 20 else { throw .io(path: path, reason: "larger than 1 MiB") }
        }
    }

    /// Opens `path` to be written in place (a lock file beside a database), creating it 0600, and
    /// returns the descriptor. Refused as a file planted in a directory others can write to would be:
    /// a symbolic link, anything but a regular file, a file with other hard links (writing it would
    /// write another file), or one that belongs to neither the effective uid nor `alsoOwnedBy`. An
    /// accepted file is made 0600.
    public static func openOwnedInPlace(_ path: String, alsoOwnedBy owner: UInt32? = nil) throws(KeyRingError) -> Int32 {
        // O_NONBLOCK: a FIFO planted in its place must not hang the open before fstat can refuse it.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            throw .io(path: path, reason: errno == ELOOP ? "is a symbolic link; refusing to follow it" : lastErrorText())
        }
        var status = stat()
        let problem: String? =
            if fstat(fd, &status) != 0 {
                lastErrorText()
            } else if status.st_mode & S_IFMT != S_IFREG {
                "is not a regular file"
            } else if status.st_nlink != 1 {
                "has other hard links; refusing to use it"
            } else if status.st_uid != geteuid(), status.st_uid != owner {
                "belongs to uid \(status.st_uid), not to uid \(geteuid()); refusing to use it"
            } else {
                nil
            }
        if let problem {
            close(fd)
            throw .io(path: path, reason: problem)
        }
        _ = fchmod(fd, 0o600)
        return fd
    }

    /// The owner of the regular file at `path` (a link is not followed), or nil when there is none.
    public static func regularFileOwner(_ path: String) -> (uid: UInt32, gid: UInt32)? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return (status.st_uid, status.st_gid)
    }

    /// Checks that `path` is a directory (not a link to one) owned by the effective uid and closed to
    /// group and others. Returns false when it does not exist.
    @discardableResult
    public static func checkOwnedDirectory(_ path: String) throws(KeyRingError) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            if errno == ENOENT { return false }
            throw .io(path: path, reason: lastErrorText())
        }
        try checkOwned(status, path: path, kind: S_IFDIR, kindName: "a directory")
        return true
    }

    private static func checkOwned(_ status: stat, path: String, kind: mode_t, kindName: String) throws(KeyRingError) {
        guard status.st_mode & S_IFMT == kind else { throw .io(path: path, reason: "is not \(kindName)") }
        let euid = geteuid()
        guard status.st_uid == euid else {
            throw .io(path: path, reason: "belongs to uid \(status.st_uid), not to the user running this (uid \(euid)); refusing to use it")
        }
        let mode = UInt32(status.st_mode) & 0o7777
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
    }

    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
