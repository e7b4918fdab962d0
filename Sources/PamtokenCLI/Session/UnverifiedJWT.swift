import Foundation
import TokenCore

/// The header and claims of a JWT, decoded but NOT verified.
///
/// Used only to read what the daemon just sent us over its own socket (`sid`, `exp`), and by `verify`
/// to find the `kid` whose key will do the verifying. Never a basis for trust.
struct UnverifiedJWT {
    struct Header: Decodable {
        var alg: String?
        var kid: String?
        var typ: String?
    }

    struct Claims: Decodable {
        var iss: String?
        var sub: String?
        var sid: String?
        var exp: Double?
    }

    let header: Header
    let claims: Claims
    /// The payload exactly as sent, for printing.
    let payload: Data

    init?(_ token: some StringProtocol) {
        guard token.utf8.count <= TokenVerifier.maximumLength else { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(base64URLEncoded: parts[0]), let payload = Data(base64URLEncoded: parts[1]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData),
            let claims = try? JSONDecoder().decode(Claims.self, from: payload)
        else { return nil }
        self.header = header
        self.claims = claims
        self.payload = payload
    }
}
