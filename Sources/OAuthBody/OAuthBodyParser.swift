import Foundation

/// Turns the bytes of a POST body into OAuth parameters: `application/x-www-form-urlencoded` (the
/// standard, RFC 6749 §4.1.3) or a JSON object with the same names (docs/api.md#token-endpoint).
///
/// Parsed by hand rather than with a Codable decoder because RFC 6749 §3.1 requires rejecting a
/// repeated parameter, which decoders silently resolve, and because every value must be a string.
/// A module of its own, with no server dependency, so that the libFuzzer target in `Fuzz/` links
/// exactly this code and nothing else.
public enum OAuthBodyParser {
    /// `a=1&b=2`, `+` as space, percent-decoding, UTF-8 only; repeated names are an error.
    public static func form(_ bytes: [UInt8]) throws(OAuthBodyError) -> [String: String] {
        var values: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0]), !name.isEmpty else { throw .malformedForm }
            guard let value = parts.count > 1 ? percentDecode(parts[1]) : "" else { throw .malformedForm }
            guard values.updateValue(value, forKey: name) == nil else { throw .repeated(name) }
        }
        return values
    }

    /// A JSON object whose members are strings (numbers and booleans are accepted as their text,
    /// for clients that send `"expires_in": 300`-style values; `null` as absent); anything nested is an
    /// error, and so is a member name used twice (as a repeated form parameter is).
    public static func json(_ bytes: [UInt8]) throws(OAuthBodyError) -> [String: String] {
        guard !bytes.isEmpty else { return [:] }
        // RFC 8259 §8.1: JSON between systems is UTF-8. JSONSerialization also reads UTF-16 and UTF-32,
        // which the duplicate-member scanner below (and the form parser) would misread; their ASCII
        // characters all carry NUL bytes, which UTF-8 JSON text never holds raw.
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil,
            let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else {
            throw .notJSONObject
        }
        let names = JSONMemberNames.topLevel(bytes)
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted { throw .repeated(name) }
        // Fails closed should the scanner ever miscount: every member must be accounted for.
        guard names.count == object.count else { throw .notJSONObject }
        var values: [String: String] = [:]
        for (name, value) in object {
            switch value {
            case let text as String: values[name] = text
            case let number as NSNumber: values[name] = number.stringValue
            case is NSNull: continue
            default: throw .notAString(name)
            }
        }
        return values
    }

    private static func percentDecode(_ bytes: ArraySlice<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "+"):
                output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard bytes.distance(from: index, to: bytes.endIndex) >= 3,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 2
            default:
                output.append(byte)
            }
            index += 1
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
