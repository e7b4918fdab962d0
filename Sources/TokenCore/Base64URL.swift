public import Foundation
import Crypto

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

    /// Decodes unpadded base64url; nil for anything else (padding, `+`, `/`, whitespace).
    public init?(base64URLEncoded text: some StringProtocol) {
        guard text.utf8.allSatisfy({ Self.isBase64URLCharacter($0) }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        switch base64.utf8.count % 4 {
        case 0: break
        case 2: base64 += "=="
        case 3: base64 += "="
        default: return nil
        }
        self.init(base64Encoded: base64)
    }

    private static func isBase64URLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
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
