import Crypto
public import Foundation

extension Data {
    private static let base64URLAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 §5 base64url without padding, as JOSE (RFC 7515 §2) and our opaque tokens use it.
    /// Encoded directly rather than by rewriting Foundation's base64: every refresh token and `jti`
    /// passes through here, and the rewrite was a tenth of a rotation's CPU (docs/BENCHMARKS.md).
    public func base64URLEncodedString() -> String {
        let alphabet = Self.base64URLAlphabet
        var output: [UInt8] = []
        output.reserveCapacity((count * 4 + 2) / 3)
        var index = startIndex
        while index < endIndex {
            let remaining = distance(from: index, to: endIndex)
            let b0 = self[index]
            let b1 = remaining > 1 ? self[self.index(index, offsetBy: 1)] : 0
            let b2 = remaining > 2 ? self[self.index(index, offsetBy: 2)] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if remaining > 1 { output.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)]) }
            if remaining > 2 { output.append(alphabet[Int(b2 & 0x3F)]) }
            index = self.index(index, offsetBy: Swift.min(3, remaining))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url; nil for anything else (padding, `+`, `/`, whitespace, a length no
    /// encoding has, or bits set past the last byte). The inverse of ``base64URLEncodedString()``, written
    /// the same direct way: exactly one spelling is accepted for each value, so a token cannot be
    /// altered into another string that decodes the same.
    public init?(base64URLEncoded text: some StringProtocol) {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            guard let value = Self.base64URLValue(byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        // 6 leftover bits: a length of 4n+1, which no encoding produces; other leftovers must be zero.
        guard bits < 6, accumulator == 0 else { return nil }
        self.init(output)
    }

    private static func base64URLValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    /// `count` bytes from a CSPRNG: BoringSSL's `RAND_bytes` (through swift-crypto), which is seeded
    /// from `getrandom(2)` and reseeds after `fork`. One call, rather than a system call per byte as
    /// drawing bytes from `SystemRandomNumberGenerator` one at a time costs.
    public static func random(count: Int) -> Data {
        guard count > 0 else { return Data() }
        return SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Data($0) }
    }
}
