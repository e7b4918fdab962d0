public import ArgumentParser
public import Foundation

/// How `pamtoken token` prints the token.
public enum TokenFormat: String, CaseIterable, Sendable, ExpressibleByArgument {
    /// The token alone, for `$(pamtoken token)` and `curl -H "Authorization: Bearer $(…)"`.
    case raw
    /// `{"access_token","expires_at","token_type"}`.
    case json
    /// A kubectl `client.authentication.k8s.io/v1` ExecCredential, for `users[].user.exec` in a kubeconfig.
    case execCredential = "exec-credential"
}

/// Renders a token in a ``TokenFormat``. One newline-terminated line on standard output in every format.
public enum TokenOutput {
    public static func render(token: String, expiresAt: Date, format: TokenFormat) throws -> String {
        switch format {
        case .raw:
            return token + "\n"
        case .json:
            return try JSONCoding.compact(
                TokenJSON(accessToken: token, expiresAt: TimeFormatting.rfc3339(expiresAt), tokenType: "Bearer")) + "\n"
        case .execCredential:
            return try JSONCoding.compact(ExecCredential(token: token, expirationTimestamp: TimeFormatting.rfc3339(expiresAt))) + "\n"
        }
    }
}

struct TokenJSON: Encodable {
    var accessToken: String
    var expiresAt: String
    var tokenType: String

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case expiresAt = "expires_at"
        case tokenType = "token_type"
    }
}

/// The kubectl exec credential plugin's answer (Kubernetes `client.authentication.k8s.io/v1`): the
/// token, and when it expires, so kubectl runs the plugin again just before then instead of every call.
struct ExecCredential: Encodable {
    struct Status: Encodable {
        var token: String
        var expirationTimestamp: String
    }

    var apiVersion = "client.authentication.k8s.io/v1"
    var kind = "ExecCredential"
    var status: Status

    init(token: String, expirationTimestamp: String) {
        status = Status(token: token, expirationTimestamp: expirationTimestamp)
    }
}
