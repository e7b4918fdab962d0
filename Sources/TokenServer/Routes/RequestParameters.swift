import Logging
import TokenCore
import TokenStore
import JWTKit
import HTTPTypes
import NIOCore
import Foundation
import Hummingbird

/// The parameters of a POST body, from `application/x-www-form-urlencoded` (the OAuth standard) or
/// `application/json` with the same field names (CONTRACT §3.1).
///
/// Parsed by hand rather than with a Codable decoder because RFC 6749 §3.1 requires rejecting a
/// repeated parameter, which decoders silently resolve, and because every value must be a string.
struct RequestParameters: Sendable, Equatable {
    private(set) var values: [String: String]

    init(values: [String: String]) {
        self.values = values
    }

    subscript(_ name: String) -> String? { values[name] }

    /// A required parameter: present and non-empty.
    func required(_ name: String) throws(APIError) -> String {
        guard let value = values[name], !value.isEmpty else { throw .invalidRequest("missing parameter \(name)") }
        return value
    }

    /// Reads and parses the body, at most ``TokenRequestContext/maxUploadSize`` bytes (413 beyond).
    static func decode(_ request: Request, context: TokenRequestContext) async throws -> RequestParameters {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge
        }
        let bytes = Array(buffer.readableBytesView)
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        switch mediaType {
        case "application/x-www-form-urlencoded": return try parseForm(bytes)
        case "application/json": return try parseJSON(bytes)
        case nil: return bytes.first == UInt8(ascii: "{") ? try parseJSON(bytes) : try parseForm(bytes)
        default:
            throw APIError.invalidRequest("unsupported content type; use application/x-www-form-urlencoded or application/json")
        }
    }

    /// `a=1&b=2`, `+` as space, percent-decoding, UTF-8 only; repeated names are an error.
    static func parseForm(_ bytes: [UInt8]) throws(APIError) -> RequestParameters {
        var values: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecode(parts[0]), !name.isEmpty else { throw .invalidRequest("malformed form body") }
            guard let value = parts.count > 1 ? percentDecode(parts[1]) : "" else { throw .invalidRequest("malformed form body") }
            guard values.updateValue(value, forKey: name) == nil else { throw .invalidRequest("parameter \(name.prefix(64)) is repeated") }
        }
        return RequestParameters(values: values)
    }

    /// A JSON object whose members are strings (numbers and booleans are accepted as their text,
    /// for clients that send `"expires_in": 300`-style values); anything nested is an error.
    static func parseJSON(_ bytes: [UInt8]) throws(APIError) -> RequestParameters {
        guard !bytes.isEmpty else { return RequestParameters(values: [:]) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .invalidRequest("the body is not a JSON object")
        }
        var values: [String: String] = [:]
        for (name, value) in object {
            switch value {
            case let text as String: values[name] = text
            case let number as NSNumber: values[name] = number.stringValue
            case is NSNull: continue
            default: throw .invalidRequest("parameter \(name.prefix(64)) must be a string")
            }
        }
        return RequestParameters(values: values)
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
