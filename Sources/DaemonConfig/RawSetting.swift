/// A value as one source gave it, before it is checked against its key.
///
/// The TOML file yields typed values; environment variables and flags yield text, which is turned into
/// an integer or a boolean first for the keys that want one (the file gets no such leniency: there,
/// `access_ttl = "300"` is a type error, as TOML has real integers).
enum RawSetting {
    case integer(Int)
    case boolean(Bool)
    case text(String)
    case texts([String])
    /// An array of tables (`[[clients]]`), each table's values raw in turn.
    case tables([[String: RawSetting]])
    /// Any other TOML value; the associated text names its type ("a floating-point number").
    case other(String)

    /// The TOML type of the value, with an article, for "must be …, not a string".
    var typeName: String {
        switch self {
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .text: "a string"
        case .texts: "an array of strings"
        case .tables: "an array of tables"
        case .other(let name): name
        }
    }
}

/// Why one value is unacceptable, worded to follow its subject: "must be at least 1 (got 0)".
/// ``SettingOrigin`` prefixes it with where the value came from.
struct SettingProblem: Error {
    let kind: ConfigurationError.Kind
    let message: String

    static func wrongType(_ key: ConfigurationKey, _ raw: RawSetting) -> SettingProblem {
        SettingProblem(kind: .wrongType, message: "must be \(key.expectation), not \(raw.typeName)")
    }

    static func invalid(_ message: String) -> SettingProblem {
        SettingProblem(kind: .invalidValue, message: message)
    }
}

/// Quotes a value for a one-line message: in single quotes, control characters escaped, long values cut.
func quoted(_ value: String) -> String {
    var text = ""
    for scalar in value.unicodeScalars.prefix(120) {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            text += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            text.unicodeScalars.append(scalar)
        }
    }
    return "'" + text + (value.unicodeScalars.count > 120 ? "…'" : "'")
}
