/// Why the daemon's configuration could not be loaded: one line naming where the bad value came from
/// (the file and key, the `PAMTOKEN_*` variable, or the `--flag`) and what is wrong with it.
///
/// A struct rather than an enum so that kinds can be added without breaking callers (as Hummingbird's
/// `PersistError`). Configuration holds no secrets, so messages may quote the offending value.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently (tests, mostly; the daemon prints `description`).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String {
            case fileNotFound = "file not found"
            case unreadableFile = "unreadable file"
            case syntax = "TOML syntax error"
            case unknownKey = "unknown key"
            case wrongType = "wrong type"
            case invalidValue = "invalid value"
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// A configuration file named explicitly (`--config`, `PAMTOKEN_CONFIG`) does not exist.
        public static let fileNotFound = Kind(.fileNotFound)
        /// The file exists but cannot be read, or is not UTF-8 text.
        public static let unreadableFile = Kind(.unreadableFile)
        /// The file is not valid TOML.
        public static let syntax = Kind(.syntax)
        /// The file sets a key pamtokend does not know (a typo, usually).
        public static let unknownKey = Kind(.unknownKey)
        /// A value has the wrong TOML type (a string where an integer belongs, …).
        public static let wrongType = Kind(.wrongType)
        /// A value has the right type but is out of range, malformed or inconsistent with another.
        public static let invalidValue = Kind(.invalidValue)

        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let kind: Kind
    /// The TOML key the error is about, when there is one (`"access_ttl"`), whatever source set it.
    public let key: String?
    /// The whole one-line message, e.g. `/etc/pamtoken/pamtoken.toml: 'access_ttl' must be at least 1 (got 0)`.
    public let description: String

    init(_ kind: Kind, key: String? = nil, _ message: String) {
        self.kind = kind
        self.key = key
        // The contract promises one line: never let a value or a parser message break it.
        self.description = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
