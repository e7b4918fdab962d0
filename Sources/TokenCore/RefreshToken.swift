import Crypto
public import Foundation

/// What kind of secret an ``OpaqueSecret`` is: its prefix tells a leaked one apart at a glance.
public protocol OpaqueSecretKind: Sendable {
    /// Four characters ending in `_`, e.g. `ptr_`.
    static var prefix: String { get }
}

/// An opaque secret handed to a client: a prefix followed by 256 bits from the system CSPRNG in
/// base64url (47 characters) — refresh tokens, authorization codes, the browser's session cookie.
///
/// The prefix makes leaked secrets recognisable to secret scanners and people. Only ``hash`` is ever
/// stored: SHA-256 suffices (no salt or slow hash) because the secret itself carries 256 bits of
/// entropy, so the hash can neither be reversed nor brute-forced, and lookups stay a single index probe.
public struct OpaqueSecret<Kind: OpaqueSecretKind>: Sendable, Hashable, CustomStringConvertible {
    private static var secretLength: Int { 32 }
    private static var encodedLength: Int { Kind.prefix.utf8.count + 43 }

    /// The secret as handed to the client. Never log it.
    public let value: String

    /// Parses a secret a client presented; nil when it cannot possibly be one of ours, so junk never
    /// reaches the database.
    public init?(_ value: some StringProtocol) {
        guard value.utf8.count == Self.encodedLength, value.hasPrefix(Kind.prefix),
            let secret = Data(base64URLEncoded: value.dropFirst(Kind.prefix.utf8.count)), secret.count == Self.secretLength
        else { return nil }
        self.value = String(value)
    }

    private init(secret: Data) {
        self.value = Kind.prefix + secret.base64URLEncodedString()
    }

    /// A fresh secret.
    public static func generate() -> Self {
        Self(secret: Data.random(count: secretLength))
    }

    /// SHA-256 of the secret: the only form that is stored.
    public var hash: Data {
        Data(SHA256.hash(data: Data(value.utf8)))
    }

    /// Redacted, so that a secret in a log line or error message gives nothing away.
    public var description: String { "\(Kind.prefix)(redacted)" }
}

/// Refresh tokens: `ptr_…`.
public enum RefreshTokenKind: OpaqueSecretKind {
    public static var prefix: String { "ptr_" }
}

/// Authorization codes of `/authorize`: `pac_…`, single use, 60 seconds.
public enum AuthorizationCodeKind: OpaqueSecretKind {
    public static var prefix: String { "pac_" }
}

/// The browser's single-sign-on cookie: `pbs_…`.
public enum BrowserSessionKind: OpaqueSecretKind {
    public static var prefix: String { "pbs_" }
}

/// The handle of one step of a PAM conversation (`POST /conversation`, the login page): `pcv_…`,
/// single use, held only in the daemon's memory.
public enum ConversationHandleKind: OpaqueSecretKind {
    public static var prefix: String { "pcv_" }
}

/// A rotating refresh token (docs/api.md#refresh-token-grant).
public typealias RefreshToken = OpaqueSecret<RefreshTokenKind>
/// A one-time authorization code (docs/api.md#authorization-endpoint).
public typealias AuthorizationCode = OpaqueSecret<AuthorizationCodeKind>
/// The value of the single-sign-on cookie (docs/api.md#browser-session).
public typealias BrowserSessionSecret = OpaqueSecret<BrowserSessionKind>

/// The handle of a conversation step (docs/api.md#conversation-endpoint).
public typealias ConversationHandle = OpaqueSecret<ConversationHandleKind>

/// Identifiers that are unique but not secret: session ids (the `sid` claim).
public enum Identifier {
    /// 128 random bits in base64url (22 chars).
    public static func random() -> String {
        Data.random(count: 16).base64URLEncodedString()
    }
}
