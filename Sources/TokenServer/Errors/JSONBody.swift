import Foundation
import NIOCore

/// JSON response bodies. One shared configuration: sorted keys (stable output for tests and caches)
/// and unescaped slashes (URLs in metadata read naturally).
enum JSONBody {
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our own values always encode; a failure here is a programming error worth a clear message.
        guard let data = try? encoder.encode(value) else {
            return ByteBuffer(string: #"{"error":"server_error","error_description":"response encoding failed"}"#)
        }
        return ByteBuffer(bytes: data)
    }
}
