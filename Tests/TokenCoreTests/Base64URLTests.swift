import Foundation
import Testing
import TokenCore

@Suite("base64url and random bytes")
struct Base64URLTests {
    @Test(
        "RFC 4648 §10 test vectors, without padding",
        arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")])
    func vectors(input: String, expected: String) {
        #expect(Data(input.utf8).base64URLEncodedString() == expected)
        #expect(Data(base64URLEncoded: expected) == Data(input.utf8))
    }

    @Test(
        "decoding refuses padding, the standard alphabet, white space, impossible lengths and stray bits",
        arguments: ["Zg==", "Zm8=", "+/", "Zm 9v", "Z", "Zm9vY", "Zh", "Zm9", "Zm-", "Zm9vYmF=", "\u{0}"])
    func refusals(text: String) {
        #expect(Data(base64URLEncoded: text) == nil, "\(text)")
    }

    @Test("the URL-safe alphabet: 62 and 63 are '-' and '_'")
    func alphabet() {
        #expect(Data([0xFB, 0xFF, 0xBF]).base64URLEncodedString() == "-_-_")
    }

    @Test("every length from 0 to 100 matches Foundation's base64 rewritten, and decodes back, slices included")
    func matchesFoundation() {
        for length in 0...100 {
            let bytes = Data.random(count: length + 3)
            let data = bytes[bytes.index(bytes.startIndex, offsetBy: 3)...]  // a slice: startIndex is not 0
            let expected = data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = data.base64URLEncodedString()
            #expect(encoded == expected)
            #expect(Data(base64URLEncoded: encoded) == Data(data))
        }
    }

    @Test("random bytes have the requested length and differ between calls")
    func randomBytes() {
        #expect(Data.random(count: 0).isEmpty)
        #expect(Data.random(count: 32).count == 32)
        #expect(Set((0..<100).map { _ in Data.random(count: 16) }).count == 100)
    }
}
