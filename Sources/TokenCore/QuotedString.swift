/// A string in double quotes with `"`, `\` and control characters escaped (`\n`, `\t`, `\r`, else
/// `\uXXXX`): a TOML basic string, and a quoted logfmt value as Go's `strconv.Unquote` reads it. One
/// escaper for `pamtokend --check-config` and the log lines, so that both stay one line each.
public enum QuotedString {
    /// `value` between double quotes, escaped.
    public static func quote(_ value: String) -> String {
        var text = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text + "\""
    }
}
