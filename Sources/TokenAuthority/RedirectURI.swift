/// Builds the URLs the browser is sent to: a registered redirect URI with response parameters added
/// to its query (RFC 6749 §4.1.2 keeps the URI's own query).
enum RedirectURI {
    /// `base` with `parameters` (nil values left out) appended, percent-encoded as form values.
    static func adding(_ parameters: KeyValuePairs<String, String?>, to base: String) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(name)=\(encode($0))" } }.joined(separator: "&")
        guard !query.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + query
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func encode(_ value: String) -> String {
        var encoded = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}
