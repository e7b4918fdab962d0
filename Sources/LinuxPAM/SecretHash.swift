import CPAM
import NIOPosix

/// Client secrets hashed and checked with libxcrypt, the library `pam_unix` hashes passwords with:
/// bcrypt (`$2b$`) by default, and every scheme libxcrypt knows (yescrypt `$y$`, `$2y$` …) when checking.
///
/// Written here rather than taken from a Swift package because no maintained Swift package on this
/// machine offers bcrypt or yescrypt; libxcrypt is part of every Debian system and is what the host
/// already trusts for its own passwords. Hashing is slow on purpose (tens of milliseconds), so both
/// calls run on NIO's blocking thread pool, never on an event loop.
public enum SecretHash {
    /// bcrypt's cost: 2^10 rounds, about 50 ms on one core — a secret is checked once per client, then cached.
    public static let bcryptCost = 10

    /// A new hash of `secret` with a fresh random salt.
    public static func make(_ secret: String) async throws(SecretHashError) -> String {
        let result = try? await NIOThreadPool.singleton.runIfActive { () -> String? in
            guard let salt = crypt_gensalt_ra("$2b$", UInt(bcryptCost), nil, 0) else { return nil }
            defer { free(salt) }
            return hash(secret, setting: salt)
        }
        guard let result else { throw SecretHashError.unavailable }
        return result
    }

    /// Whether `secret` hashes to `hash` (whose prefix names the scheme and its parameters). False for
    /// a malformed hash: libxcrypt then returns a failure token that never equals a hash.
    public static func verify(_ secret: String, against expected: String) async -> Bool {
        guard isWellFormed(expected) else { return false }
        let computed = try? await NIOThreadPool.singleton.runIfActive { hash(secret, setting: expected) }
        guard let computed else { return false }
        return constantTimeEquals(Array(computed.utf8), Array(expected.utf8))
    }

    /// Whether `text` looks like a hash libxcrypt can check: `$id$…` of printable ASCII. The
    /// configuration loader uses it to refuse a plain-text secret pasted where its hash belongs.
    public static func isWellFormed(_ text: String) -> Bool {
        text.hasPrefix("$") && text.utf8.count >= 20 && text.utf8.count <= 512
            && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    private static func hash(_ secret: String, setting: UnsafePointer<CChar>) -> String? {
        // crypt_ra allocates its (32 KiB) work area on the heap; it is zeroed before it is freed.
        var data: UnsafeMutableRawPointer?
        var size: Int32 = 0
        defer {
            if let data {
                cpam_secure_zero(data, Int(size))
                free(data)
            }
        }
        guard let output = crypt_ra(secret, setting, &data, &size), output.pointee != CChar(UInt8(ascii: "*")) else { return nil }
        return String(cString: output)
    }

    private static func hash(_ secret: String, setting: String) -> String? {
        setting.withCString { hash(secret, setting: $0) }
    }

    private static func constantTimeEquals(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// Why a secret could not be hashed.
public enum SecretHashError: Error, Sendable, CustomStringConvertible {
    /// libxcrypt refused (no bcrypt support) or the thread pool is shutting down.
    case unavailable

    public var description: String { "cannot hash the secret: libxcrypt refused or is unavailable" }
}
