import Crypto
public import Foundation

/// An opaque refresh token: `ptr_` followed by 256 bits from the system CSPRNG in base64url (47 chars).
///
/// The prefix makes leaked tokens recognisable to secret scanners and people. Only ``hash`` is ever
/// stored: SHA-256 suffices (no salt or slow hash) because the token itself carries 256 bits of entropy,
/// so the hash can neither be reversed nor brute-forced, and lookups stay a single index probe.
public struct RefreshToken: Sendable, Hashable, CustomStringConvertible {
    public static let prefix = "ptr_"
    private static let secretLength = 32
    private static let encodedLength = prefix.utf8.count + 43

    /// The token as handed to the client. Never log it.
    public let value: String

    /// Parses a token a client presented; nil when it cannot possibly be one of ours, so junk never
    /// reaches the database.
    public init?(_ value: some StringProtocol) {
        guard value.utf8.count == Self.encodedLength, value.hasPrefix(Self.prefix),
            let secret = Data(base64URLEncoded: value.dropFirst(Self.prefix.utf8.count)), secret.count == Self.secretLength
        else { return nil }
        self.value = String(value)
    }

    private init(secret: Data) {
        self.value = Self.prefix + secret.base64URLEncodedString()
    }

    /// A fresh token.
    public static func generate() -> RefreshToken {
        RefreshToken(secret: Data.random(count: secretLength))
    }

    /// SHA-256 of the token: the only form that is stored.
    public var hash: Data {
        Data(SHA256.hash(data: Data(value.utf8)))
    }

    /// Redacted, so that a token in a log line or error message gives nothing away.
    public var description: String { "RefreshToken(redacted)" }
}

/// Identifiers that are unique but not secret: session ids (the `sid` claim).
public enum Identifier {
    /// 128 random bits in base64url (22 chars).
    public static func random() -> String {
        Data.random(count: 16).base64URLEncodedString()
    }
}
