import PamtokenWire

/// Builds the URLs the browser is sent to: a registered redirect URI with response parameters added
/// to its query (RFC 6749 §4.1.2 keeps the URI's own query).
enum RedirectURI {
    /// `base` with `parameters` (nil values left out) appended, percent-encoded as form values.
    static func adding(_ parameters: KeyValuePairs<String, String?>, to base: String) -> String {
        let query = parameters.compactMap { name, value in value.map { "\(name)=\(FormEncoding.encode($0))" } }.joined(separator: "&")
        guard !query.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + query
    }
}
