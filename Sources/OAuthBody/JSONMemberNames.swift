/// The member names of a JSON text's top-level object, as written, escapes decoded.
///
/// `JSONSerialization` (like every JSON decoder at hand) keeps the last of two members with the same
/// name, so `{"username":"nobody","username":"alice"}` would silently mean alice; RFC 6749 §3.1 says a
/// parameter must not be repeated, and the form parser refuses that. This scanner finds the names so
/// the JSON parser can refuse the same. Hand-written because no library reports duplicates; it is
/// only ever run on text that `JSONSerialization` has already accepted, so it tracks nothing but
/// nesting and strings.
enum JSONMemberNames {
    static func topLevel(_ bytes: [UInt8]) -> [String] {
        var names: [String] = []
        var depth = 0
        var expectingName = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                depth += 1
                expectingName = depth == 1
            case UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingName = depth == 1
            case UInt8(ascii: "\""):
                let (text, end) = string(in: bytes, openingQuote: index)
                if depth == 1 && expectingName {
                    names.append(text)
                    expectingName = false
                }
                index = end
                continue
            default:
                break
            }
            index += 1
        }
        return names
    }

    /// The string starting at `openingQuote`, decoded, and the index just past its closing quote.
    private static func string(in bytes: [UInt8], openingQuote: Int) -> (String, Int) {
        var output: [UInt8] = []
        var index = openingQuote + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (String(decoding: output, as: UTF8.self), index + 1) }
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = bytes[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(bytes, at: index) ?? 0xFFFD
                index += 4
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = hex4(bytes, at: index + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                output.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default: output.append(escape)  // \" \\ \/
            }
        }
        return (String(decoding: output, as: UTF8.self), index)
    }

    private static func hex4(_ bytes: [UInt8], at index: Int) -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}
