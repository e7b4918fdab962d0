public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Files that hold secrets: directories 0700, files 0600, replaced atomically and durably.
///
/// Written against POSIX directly rather than `FileManager` because the guarantees are the point:
/// the temporary file is created 0600 by `mkstemp` (never briefly world-readable), `fsync`ed before the
/// `rename`, and the directory is `fsync`ed after it, so a crash leaves either the old or the new file.
public enum PrivateFiles {
    /// Creates `path` (and missing parents) as a 0700 directory. An existing directory is accepted when
    /// it grants nothing to group or others; otherwise ``KeyRingError/insecurePermissions(path:mode:)``.
    public static func createDirectory(_ path: String) throws(KeyRingError) {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            guard attributes[.type] as? FileAttributeType == .typeDirectory else {
                throw .io(path: path, reason: "exists and is not a directory")
            }
            let mode = Self.permissions(attributes)
            guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path, !FileManager.default.fileExists(atPath: parent) {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .io(path: parent, reason: "cannot create directory: \(error.localizedDescription)")
            }
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw .io(path: path, reason: Self.lastError()) }
        _ = chmod(path, 0o700)  // mkdir honours the umask; make the mode exact.
    }

    /// Atomically replaces `path` with `data`, mode 0600.
    public static func write(_ data: Data, to path: String) throws(KeyRingError) {
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw .io(path: path, reason: Self.lastError()) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var committed = false
        defer {
            if !committed { unlink(temporary) }
        }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        let synced = written && fchmod(fd, 0o600) == 0 && fsync(fd) == 0
        let reason = Self.lastError()
        close(fd)
        guard synced else { throw .io(path: path, reason: reason) }
        guard rename(temporary, path) == 0 else { throw .io(path: path, reason: Self.lastError()) }
        committed = true
        syncDirectory(of: path)
    }

    /// Reads a secret file, refusing one that group or others can read.
    public static func read(_ path: String) throws(KeyRingError) -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        let mode = Self.permissions(attributes)
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .io(path: path, reason: "cannot read") }
        return data
    }

    /// Removes a file and makes the removal durable.
    public static func remove(_ path: String) throws(KeyRingError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .io(path: path, reason: Self.lastError()) }
        syncDirectory(of: path)
    }

    /// Creates an empty 0600 file if none exists, or tightens an existing one to 0600. For files that
    /// another library opens itself (the SQLite database), so they are never born world-readable.
    public static func ensurePrivateFile(_ path: String) throws(KeyRingError) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, reason: Self.lastError()) }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else { throw .io(path: path, reason: Self.lastError()) }
    }

    private static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func permissions(_ attributes: [FileAttributeKey: Any]) -> UInt32 {
        UInt32((attributes[.posixPermissions] as? NSNumber)?.uint32Value ?? 0o777) & 0o7777
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
