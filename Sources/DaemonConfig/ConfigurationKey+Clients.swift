import Foundation
import TokenCore

extension ConfigurationKey {
    /// The members a `[[clients]]` table may have (docs/configuration.md#clients).
    static let clientFields = [
        "id", "name", "redirect_uris", "secret_hash", "public", "scopes", "allowed_groups", "post_logout_redirect_uris",
        "id_token_alg",
    ]

    /// `[[clients]]` tables into registrations: each member's type here, the rules between members
    /// and between clients in ``ConfigurationValidator``.
    func clients(_ raw: RawSetting) throws(SettingProblem) -> [OAuthClient] {
        let tables: [[String: RawSetting]]
        switch raw {
        case .tables(let value): tables = value
        case .texts([]): return []  // `clients = []`: none, as rendered() writes it
        default: throw .wrongType(self, raw)
        }
        var clients: [OAuthClient] = []
        for (index, table) in tables.enumerated() {
            let label = "table \(index + 1)"
            if let unknown = table.keys.sorted().first(where: { !Self.clientFields.contains($0) }) {
                let hint = KeySuggestion.closest(to: unknown, among: Self.clientFields)
                throw .invalid("\(label) has an unknown key \(quoted(unknown))\(hint.map { " (did you mean '\($0)'?)" } ?? "")")
            }
            func text(_ name: String) throws(SettingProblem) -> String? {
                switch table[name] {
                case nil: return nil
                case .text(let value)?: return value
                case let other?: throw .invalid("\(label): \(name) must be a string, not \(other.typeName)")
                }
            }
            func texts(_ name: String) throws(SettingProblem) -> [String]? {
                switch table[name] {
                case nil: return nil
                case .text(let value)?: return [value]
                case .texts(let values)?: return values
                case let other?: throw .invalid("\(label): \(name) must be an array of strings, not \(other.typeName)")
                }
            }
            guard let id = try text("id") else { throw .invalid("\(label) has no id") }
            var isPublic = false
            switch table["public"] {
            case nil: break
            case .boolean(let value)?: isPublic = value
            case let other?: throw .invalid("\(label): public must be true or false, not \(other.typeName)")
            }
            var idTokenAlgorithm: SigningAlgorithm?
            if let name = try text("id_token_alg") {
                guard let algorithm = SigningAlgorithm(name: name), algorithm != .hs256 else {
                    throw .invalid("\(label): id_token_alg must be ES256, EdDSA or RS256 (got \(quoted(name)))")
                }
                idTokenAlgorithm = algorithm
            }
            clients.append(
                OAuthClient(
                    id: id, name: try text("name"), redirectURIs: try texts("redirect_uris") ?? [], secretHash: try text("secret_hash"),
                    isPublic: isPublic, scopes: try texts("scopes") ?? OAuthClient.supportedScopes, allowedGroups: try texts("allowed_groups") ?? [],
                    postLogoutRedirectURIs: try texts("post_logout_redirect_uris") ?? [], idTokenAlgorithm: idTokenAlgorithm))
        }
        return clients
    }
}

extension ConfigurationValidator {
    /// The rules of docs/browser-sign-in.md: unique valid ids; exact absolute redirect URIs (https, or
    /// http to this machine only); a secret hash or `public = true`, not both; known scopes.
    func clientsProblem() -> String? {
        if !configuration.clients.isEmpty, configuration.signingAlgorithm == .hs256 {
            return "need a public-key signing_alg (ES256, EdDSA or RS256): clients cannot verify ID tokens signed with HS256"
        }
        var seen = Set<String>()
        for client in configuration.clients {
            let label = "client \(quoted(client.id))"
            guard OAuthClient.isValidID(client.id) else {
                return "has the id \(quoted(client.id)); use 1 to 64 letters, digits, '.', '_', '~' or '-'"
            }
            guard client.id != OAuthClient.browserSessionClientID, client.id != "pamtoken" else {
                return "has the id \(quoted(client.id)), which pamtoken uses itself"
            }
            guard seen.insert(client.id).inserted else { return "lists the id \(quoted(client.id)) twice" }
            if client.redirectURIs.isEmpty { return "\(label) has no redirect_uris" }
            for uri in client.redirectURIs + client.postLogoutRedirectURIs {
                if let problem = Self.redirectURIProblem(uri) { return "\(label) has the redirect URI \(quoted(uri)), which \(problem)" }
            }
            switch (client.isPublic, client.secretHash) {
            case (true, _?): return "\(label) is public and has a secret_hash; a public client has no secret"
            case (false, nil): return "\(label) needs a secret_hash (make one with pamtokend --hash-secret) or public = true"
            case (false, let hash?) where !(hash.hasPrefix("$") && hash.utf8.count >= 20 && !hash.contains(where: \.isWhitespace)):
                return "\(label) has a secret_hash that is not a crypt(3) hash such as $2b$…; make one with pamtokend --hash-secret"
            default: break
            }
            if let unknown = client.scopes.first(where: { !OAuthClient.supportedScopes.contains($0) }) {
                return "\(label) has the scope \(quoted(unknown)); pamtoken knows \(OAuthClient.supportedScopes.joined(separator: ", "))"
            }
            if client.name.isEmpty || client.name.utf8.count > 100 { return "\(label) needs a name of 1 to 100 bytes" }
        }
        return nil
    }

    /// Why `uri` cannot be a registered redirect URI (RFC 9700 §2.1, §4.1.1), or nil.
    static func redirectURIProblem(_ uri: String) -> String? {
        guard let url = URLComponents(string: uri), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            return "is not an absolute URL"
        }
        guard url.fragment == nil else { return "has a fragment (RFC 6749 §3.1.2 forbids one)" }
        guard url.user == nil, url.password == nil else { return "has user information" }
        guard !uri.contains("*") else { return "has a wildcard; redirect URIs are compared exactly" }
        switch scheme {
        case "https": return nil
        case "http":
            return IPAddress.isLoopback(host: host) || host.lowercased() == "localhost"
                ? nil : "uses http to another machine; use https (http only for 127.0.0.1, [::1] or localhost)"
        default: return "is not http or https"
        }
    }
}
