import Foundation
import FuzzSupport
import OAuthBody

/// libFuzzer target: a POST body, parsed as a form and as JSON (the daemon picks one by content type,
/// an attacker picks the content type).
///
/// Beyond "no crash, no hang, no leak" (AddressSanitizer, libFuzzer's timeouts), three properties:
/// whatever parses re-encodes and parses back to the same parameters, names are never empty, and a
/// JSON object that parses is refused once one of its members is written twice.
/// A violation traps, which libFuzzer records as a crash with the input that caused it.
@main
enum Main {
    static func main() { FuzzDriver.run(fuzzBody) }
}

// Also exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzBody(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)

    if let form = try? OAuthBodyParser.form(bytes) {
        precondition(!form.keys.contains(""), "a form parameter with an empty name was accepted")
        let again = try? OAuthBodyParser.form(Array(encodeForm(form).utf8))
        precondition(again == form, "a parsed form does not survive re-encoding")
    }

    if let json = try? OAuthBodyParser.json(bytes) {
        let encoded = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
        let again = encoded.flatMap { try? OAuthBodyParser.json(Array($0)) }
        precondition(again == json, "a parsed JSON body does not survive re-encoding")
        // The same object with one member written twice must be refused, as a repeated form field is.
        if let encoded, let first = json.keys.min(), var text = String(data: encoded, encoding: .utf8), text.hasSuffix("}") {
            let member = String(data: try! JSONSerialization.data(withJSONObject: [first: json[first]!]), encoding: .utf8)!
            text.removeLast()
            text += "," + member.dropFirst().dropLast() + "}"
            precondition((try? OAuthBodyParser.json(Array(text.utf8))) == nil, "a JSON body with a repeated member was accepted")
        }
    }
    return 0
}

/// An independent form encoder (not the parser's inverse by construction): every byte outside
/// RFC 3986's unreserved set is percent-encoded, so the parser's `+` and `%` handling is checked.
private func encodeForm(_ values: [String: String]) -> String {
    func escape(_ text: String) -> String {
        text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                String(UnicodeScalar(byte))
            default:
                "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }.joined()
    }
    return values.sorted { $0.key < $1.key }.map { escape($0.key) + "=" + escape($0.value) }.joined(separator: "&")
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
