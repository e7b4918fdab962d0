/// Parses a complete HTTP/1.1 response read to end-of-file (the client always sends `Connection: close`).
///
/// The daemon answers with `Content-Length`; chunked transfer coding (RFC 9112 §7.1) is accepted too, in
/// case a proxy sits in between. Anything malformed or cut short is a ``HTTPParseError``, never a crash:
/// every index is checked and every size is bounded by the bytes actually received.
public enum HTTPResponseParser {
    static let maximumHeaderBytes = 64 * 1024
    static let maximumHeaderCount = 100

    public static func parse(_ bytes: [UInt8]) throws(HTTPParseError) -> DaemonResponse {
        var offset = 0
        while true {
            let (status, headers, bodyStart) = try parseHead(bytes, from: offset)
            // 1xx responses (RFC 9110 §15.2) are interim: the final response follows.
            if (100..<200).contains(status), status != 101 {
                offset = bodyStart
                continue
            }
            let body = try parseBody(bytes, from: bodyStart, status: status, headers: headers)
            return DaemonResponse(status: status, headers: headers, body: body)
        }
    }

    /// The status line and header fields, and where the body starts.
    private static func parseHead(_ bytes: [UInt8], from start: Int) throws(HTTPParseError) -> (Int, [(name: String, value: String)], Int) {
        guard start < bytes.count else { throw .truncated }
        var lines: [String] = []
        var index = start
        var lineStart = start
        while true {
            guard index < bytes.count else { throw .truncated }
            guard index - start < maximumHeaderBytes else { throw .malformed("header section too large") }
            if bytes[index] == UInt8(ascii: "\n") {
                var end = index
                if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if end == lineStart { break }  // the empty line ends the header section
                lines.append(String(decoding: bytes[lineStart..<end], as: UTF8.self))
                lineStart = index + 1
            }
            index += 1
        }
        guard let statusLine = lines.first else { throw .malformed("no status line") }
        let status = try parseStatusLine(statusLine)
        guard lines.count - 1 <= maximumHeaderCount else { throw .malformed("too many header fields") }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header line without a colon") }
            let name = line[..<colon]
            guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "\t" }) else { throw .malformed("invalid header name") }
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            headers.append((String(name), value))
        }
        return (status, headers, index + 1)
    }

    /// `HTTP/1.1 200 OK` → 200.
    private static func parseStatusLine(_ line: String) throws(HTTPParseError) -> Int {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1.") else { throw .malformed("not an HTTP/1 status line") }
        guard parts[1].count == 3, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let status = Int(parts[1]), status >= 100 else {
            throw .malformed("invalid status code")
        }
        return status
    }

    private static func parseBody(
        _ bytes: [UInt8], from start: Int, status: Int, headers: [(name: String, value: String)]
    ) throws(HTTPParseError)
        -> [UInt8]
    {
        // RFC 9110 §6.4.1: these never have content, whatever the headers say.
        if status == 204 || status == 304 { return [] }
        let codings = headers.filter { $0.name.lowercased() == "transfer-encoding" }.map { $0.value.lowercased() }
        if codings.contains(where: { $0.contains("chunked") }) {
            return try decodeChunked(bytes, from: start)
        }
        let lengths = Set(headers.filter { $0.name.lowercased() == "content-length" }.map(\.value))
        guard lengths.count <= 1 else { throw .malformed("conflicting Content-Length headers") }
        if let text = lengths.first {
            guard !text.isEmpty, text.count <= 12, text.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(text) else {
                throw .malformed("invalid Content-Length")
            }
            guard bytes.count - start >= length else { throw .truncated }
            return Array(bytes[start..<(start + length)])
        }
        return Array(bytes[min(start, bytes.count)...])
    }

    /// RFC 9112 §7.1: `size[;ext] CRLF data CRLF` … `0 CRLF [trailers] CRLF`.
    static func decodeChunked(_ bytes: [UInt8], from start: Int) throws(HTTPParseError) -> [UInt8] {
        var body: [UInt8] = []
        var index = start
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { throw .truncated }
            var sizeEnd = lineEnd
            if sizeEnd > index, bytes[sizeEnd - 1] == UInt8(ascii: "\r") { sizeEnd -= 1 }
            if let semicolon = bytes[index..<sizeEnd].firstIndex(of: UInt8(ascii: ";")) { sizeEnd = semicolon }
            let sizeText = String(decoding: bytes[index..<sizeEnd], as: UTF8.self).trimmingWhitespace()
            guard !sizeText.isEmpty, sizeText.count <= 8, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .malformed("invalid chunk size")
            }
            index = lineEnd + 1
            if size == 0 {
                try skipTrailerSection(bytes, from: index)
                return body
            }
            guard bytes.count - index >= size else { throw .truncated }
            body.append(contentsOf: bytes[index..<(index + size)])
            index += size
            if index < bytes.count, bytes[index] == UInt8(ascii: "\r") { index += 1 }
            guard index < bytes.count else { throw .truncated }
            guard bytes[index] == UInt8(ascii: "\n") else { throw .malformed("chunk not followed by CRLF") }
            index += 1
        }
    }
}

extension HTTPResponseParser {
    /// The trailer fields after the last chunk are ignored, but the empty line that ends them must be
    /// there: without it the body may have been cut short exactly after a chunk boundary.
    fileprivate static func skipTrailerSection(_ bytes: [UInt8], from start: Int) throws(HTTPParseError) {
        var index = start
        while true {
            guard let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) else { throw .truncated }
            let isEmpty = lineEnd == index || (lineEnd == index + 1 && bytes[index] == UInt8(ascii: "\r"))
            if isEmpty { return }
            index = lineEnd + 1
        }
    }
}

/// Why a response could not be parsed.
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection closed before the response was complete.
    case truncated
    case malformed(String)

    public var description: String {
        switch self {
        case .truncated: "the response was cut short"
        case .malformed(let reason): "malformed HTTP response: \(reason)"
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace, RFC 9110 §5.6.3).
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)[...]
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
