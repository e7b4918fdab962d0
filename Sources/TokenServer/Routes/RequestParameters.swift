import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OAuthBody

/// The parameters of a POST body, from `application/x-www-form-urlencoded` (the OAuth standard) or
/// `application/json` with the same field names (docs/api.md#token-endpoint), parsed by ``OAuthBodyParser``.
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

    /// A form body; see ``OAuthBodyParser/form(_:)``.
    static func parseForm(_ bytes: [UInt8]) throws(APIError) -> RequestParameters {
        do {
            return RequestParameters(values: try OAuthBodyParser.form(bytes))
        } catch {
            throw .invalidRequest(error.description)
        }
    }

    /// A JSON body; see ``OAuthBodyParser/json(_:)``.
    static func parseJSON(_ bytes: [UInt8]) throws(APIError) -> RequestParameters {
        do {
            return RequestParameters(values: try OAuthBodyParser.json(bytes))
        } catch {
            throw .invalidRequest(error.description)
        }
    }
}
