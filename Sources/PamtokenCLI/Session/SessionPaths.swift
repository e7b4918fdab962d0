import Foundation

/// Where the CLI keeps a daemon's session: `$XDG_RUNTIME_DIR/pamtoken/` (a per-user tmpfs that the
/// system empties at logout, the right home for credentials), else `~/.cache/pamtoken/` (docs/api.md#the-pamtoken-cli).
///
/// Files are named after a hash of the daemon's address, so logins to two daemons (a system one and a
/// test one, say) never overwrite each other. The hash only spreads names; the file also records the
/// address and is ignored when that does not match.
public struct SessionPaths: Sendable, Equatable {
    public let directory: String
    public let address: DaemonAddress

    public init(directory: String, address: DaemonAddress) {
        self.directory = directory
        self.address = address
    }

    /// The session directory for this environment. `XDG_RUNTIME_DIR` counts only when absolute, as the
    /// XDG Base Directory specification requires of every such variable.
    public static func directory(environment: [String: String], homeDirectory: String?) throws(CLIError) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            return (runtime as NSString).appendingPathComponent("pamtoken")
        }
        if let home = homeDirectory, home.hasPrefix("/") {
            return (home as NSString).appendingPathComponent(".cache/pamtoken")
        }
        throw .refused("cannot decide where to keep the session: neither XDG_RUNTIME_DIR nor a home directory is set")
    }

    /// The refresh token, the cached access token and their expiry times (JSON, 0600).
    public var sessionFile: String { path(".json") }
    /// Held with `flock` around read-check-refresh-write; never deleted, so every process locks the same inode.
    public var lockFile: String { path(".lock") }
    /// The daemon's JWKS as last fetched by `verify`.
    public var jwksFile: String { path(".jwks.json") }

    private func path(_ suffix: String) -> String {
        (directory as NSString).appendingPathComponent("daemon-\(Self.key(for: address))\(suffix)")
    }

    /// 16 hex digits of FNV-1a/64 over the address's canonical text. A name, not a security boundary:
    /// nothing is gained by forging one, since the directory is the user's own.
    static func key(for address: DaemonAddress) -> String {
        let text: String
        switch address {
        case .unix(let path): text = "unix:" + (path as NSString).standardizingPath
        case .tcp: text = address.description.lowercased()
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
