import DaemonConfig
import Foundation
import Testing
import TokenCore

/// `[[clients]]` and `password_grant` (docs/configuration.md#clients).
@Suite("Browser sign-in clients in pamtoken.toml")
struct ClientsConfigTests {
    static let hash = "$2b$10$6I41Ln3cVhIyzqUv/RcRtOHotRB/ACbFxA7lGj5zs9md9kHWacs3i"

    @Test("a confidential and a public client load with every member, and defaults fill the rest")
    func loads() throws {
        let outcome = try load(
            """
            password_grant = false

            [[clients]]
            id = "wiki"
            name = "Team wiki"
            redirect_uris = ["https://wiki.example.com/cb", "http://127.0.0.1:8080/cb"]
            secret_hash = "\(Self.hash)"
            scopes = ["openid", "groups"]
            allowed_groups = ["staff"]
            post_logout_redirect_uris = ["https://wiki.example.com/"]
            id_token_alg = "RS256"

            [[clients]]
            id = "cli-app"
            redirect_uris = "http://localhost:9000/callback"
            public = true
            """)
        let configuration = try #require(outcome.configuration, "\(String(describing: outcome.error))")
        #expect(configuration.passwordGrant == false)
        #expect(
            configuration.clients == [
                OAuthClient(
                    id: "wiki", name: "Team wiki", redirectURIs: ["https://wiki.example.com/cb", "http://127.0.0.1:8080/cb"], secretHash: Self.hash,
                    scopes: ["openid", "groups"], allowedGroups: ["staff"], postLogoutRedirectURIs: ["https://wiki.example.com/"],
                    idTokenAlgorithm: .rs256),
                OAuthClient(id: "cli-app", redirectURIs: ["http://localhost:9000/callback"], isPublic: true),
            ])
    }

    @Test(
        "a client that cannot be registered is refused with one line naming it and what to do",
        arguments: [
            ("id = \"a b\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true", "use 1 to 64 letters"),
            ("redirect_uris = [\"https://x.example/cb\"]\npublic = true", "has no id"),
            ("id = \"x\"\npublic = true", "has no redirect_uris"),
            ("id = \"x\"\nredirect_uris = [\"http://wiki.example.com/cb\"]\npublic = true", "uses http to another machine"),
            ("id = \"x\"\nredirect_uris = [\"https://*.example.com/cb\"]\npublic = true", "wildcard"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb#top\"]\npublic = true", "fragment"),
            ("id = \"x\"\nredirect_uris = [\"/cb\"]\npublic = true", "not an absolute URL"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]", "needs a secret_hash"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true\nsecret_hash = \"\(hash)\"", "is public and has a secret_hash"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\nsecret_hash = \"hunter2\"", "not a crypt(3) hash"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true\nscopes = [\"email\"]", "pamtoken knows openid"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true\nredirect_uri = \"y\"", "did you mean 'redirect_uris'"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = \"yes\"", "public must be true or false"),
            ("id = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true\nid_token_alg = \"HS256\"", "id_token_alg must be"),
            ("id = \"pamtoken-browser\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true", "which pamtoken uses itself"),
        ])
    func refused(table: String, message: String) throws {
        let outcome = try load("[[clients]]\n" + table + "\n")
        let error = try #require(outcome.error)
        #expect(error.description.contains(message), "\(error.description)")
        #expect(!error.description.contains("\n"))
    }

    @Test("two clients with one id, clients under HS256, and clients from the environment are refused")
    func crossRules() throws {
        let client = "[[clients]]\nid = \"x\"\nredirect_uris = [\"https://x.example/cb\"]\npublic = true\n"
        #expect(try load(client + client).error?.description.contains("lists the id 'x' twice") == true)
        #expect(try load("signing_alg = \"HS256\"\n" + client).error?.description.contains("public-key signing_alg") == true)
        #expect(try load(nil, environment: ["PAMTOKEN_CLIENTS": "x"]).error?.description.contains("only in the configuration file") == true)
        #expect(try load("clients = []\n").configuration?.clients == [])
    }
}
