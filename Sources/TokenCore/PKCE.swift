import Crypto
import Foundation

/// RFC 7636 proof key for code exchange, `S256` only: `plain` would give an attacker who sees the
/// authorization request everything needed to redeem its code (RFC 9700 §2.1.1).
public enum PKCE {
    /// Whether `challenge` has the shape of an S256 challenge: 43 base64url characters (32 bytes).
    public static func isValidChallenge(_ challenge: String) -> Bool {
        challenge.utf8.count == 43 && Data(base64URLEncoded: challenge)?.count == 32
    }

    /// Whether `verifier` (43–128 unreserved characters, RFC 7636 §4.1) hashes to `challenge`.
    public static func verify(_ verifier: String, challenge: String) -> Bool {
        guard (43...128).contains(verifier.utf8.count), verifier.utf8.allSatisfy(isUnreserved) else { return false }
        let computed = Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
        // Both sides are public once the code is redeemed; still compared without an early exit.
        return ConstantTime.equal(computed.utf8, challenge.utf8)
    }

    /// The S256 challenge of a verifier, for clients and tests.
    public static func challenge(for verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }
}
