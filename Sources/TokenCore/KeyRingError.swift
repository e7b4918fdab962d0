/// Why the key ring could not load, create or store a key. Messages name the file but never key bytes.
public enum KeyRingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A key file could not be parsed.
    case corruptKey(String)
    /// A file or directory operation failed.
    case io(path: String, reason: String)
    /// A key file or the key directory is readable by others: refuse to use it.
    case insecurePermissions(path: String, mode: UInt32)

    public var description: String {
        switch self {
        case .corruptKey(let reason): "corrupt signing key: \(reason)"
        case .io(let path, let reason): "\(path): \(reason)"
        case .insecurePermissions(let path, let mode):
            "\(path): permissions \(String(mode, radix: 8)) allow other users to read it; expected 0600 (files) or 0700 (directory)"
        }
    }
}
