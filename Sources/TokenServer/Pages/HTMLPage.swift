import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The few HTML pages pamtoken serves (sign in, errors, sign out), rendered on the server without
/// JavaScript, with every header a page that takes a password needs.
///
/// Every value from a request or the system goes through ``escape(_:)``; the stylesheet is inline and
/// allowed by its hash, so the policy needs neither `'unsafe-inline'` nor a second request.
struct HTMLPage: Sendable {
    var title: String
    /// Escaped HTML for the inside of `<main>`.
    var body: String
    var status: HTTPResponse.Status = .ok
    /// Where the page's form may send the browser, besides the daemon itself: the client's origin,
    /// since a successful sign-in redirects there and Chromium applies `form-action` to redirects.
    var formTargets: [String] = []
    var headers = HTTPFields()

    static let style = """
        body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2127}\
        main{max-width:22rem;margin:10vh auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}\
        h1{font-size:1.4rem;margin:0 0 .5rem}label{display:block;margin-top:1rem;font-weight:600}\
        input{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #8a8f98;border-radius:4px}\
        button{margin-top:1.5rem;width:100%;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#2458c6;border:0;border-radius:4px}\
        .error{color:#a1141a;background:#fdecec;padding:.5rem;border-radius:4px}.muted{color:#5c6370;font-size:.9rem}
        """
    /// `'sha256-…'` of ``style``, for `style-src`.
    static let styleHash = "'sha256-" + Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString() + "'"

    /// The response: `text/html`, never cached, never framed, no referrer to other sites, no sniffing.
    func response() -> Response {
        let html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">\
            <title>\(Self.escape(title)) · pamtoken</title><style>\(Self.style)</style></head>
            <body><main>
            \(body)
            </main></body></html>

            """
        var headers = self.headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        // Not no-referrer: a browser then sends `Origin: null` with the page's own form, which the
        // Origin rule of TCP listeners must refuse. same-origin still sends no Referer elsewhere.
        headers[.referrerPolicy] = "same-origin"
        let targets = (["'self'"] + formTargets.map(Self.sourceExpression)).joined(separator: " ")
        headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src \(Self.styleHash); form-action \(targets); frame-ancestors 'none'; base-uri 'none'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Text made safe for HTML element content and double-quoted attribute values.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default:
                // Control characters have no business on a page; shown as U+FFFD rather than interpreted.
                escaped.unicodeScalars.append(character.properties.generalCategory == .control && character != "\n" ? "\u{FFFD}" : character)
            }
        }
        return escaped
    }

    /// A URL's origin as a CSP source expression (`https://app.example:8443`); a URL that has none
    /// (it was checked against the registration, but a CSP must never be broken by a value) is left out.
    static func sourceExpression(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:[]".contains($0) })
        else { return "" }
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(scheme)://\(bracketed)\(components.port.map { ":\($0)" } ?? "")"
    }
}

extension HTTPField.Name {
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
