public import Foundation

/// JSON in and out, configured once: output is pretty, key-sorted and keeps `/` unescaped, so what
/// `verify` and `--format json` print is stable and readable.
public enum JSONCoding {
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    /// Pretty JSON for an `Encodable` value.
    public static func pretty(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// One-line JSON for an `Encodable` value (for `token --format json|exec-credential`, which tools parse).
    public static func compact(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Re-indents JSON received from the daemon, or nil when it is not JSON.
    public static func pretty(json data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
            let output = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
