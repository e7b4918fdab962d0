import DaemonConfig
import Foundation
import Testing
import TokenCore

@Suite("rendered() and the example pamtoken.toml")
struct RenderingTests {
    /// `etc/pamtoken/pamtoken.toml` of this package.
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/pamtoken/pamtoken.toml").path

    /// A configuration with every setting changed from its default, strings that need escaping included.
    static var everythingChanged: DaemonConfiguration {
        var c = DaemonConfiguration()
        c.listen = [.unix(path: "/tmp/odd \"name\" \\ é.sock"), .tcp(host: "::1", port: 9000), .tcp(host: "10.0.0.1", port: 443)]
        c.allowRemote = true
        c.allowedHosts = ["auth.example.com", "proxy.internal"]
        c.allowedOrigins = ["https://app.example.com", "http://localhost:3000"]
        c.stateDirectory = "state\tdir/with \"quotes\" and \\backslash\\ and ünïcödé 🙂"
        c.pamService = "login"
        c.pamThreads = 16
        c.pamLoginThreads = 3
        c.pamQueueLimit = 0
        c.failureDelayMilliseconds = 250
        c.issuer = "https://auth.example.com/pamtoken"
        c.audiences = ["api", "web, with comma", "'single'"]
        c.accessTTL = 60
        c.refreshTTL = 3600
        c.sessionMaxAge = 86400
        c.reuseGrace = 30
        c.signingAlgorithm = .rs256
        c.idleExit = 120
        c.logLevel = "debug"
        c.logFormat = .json
        c.durableCommits = false
        c.peercredGrant = true
        c.peercredAllowRoot = true
        c.allowSystemUsers = true
        c.adminGroup = "wheel"
        c.throttleUserFailures = 3
        c.throttlePeerFailures = 10
        c.throttleWindow = 60
        c.throttleMaxBackoff = 30
        c.gcInterval = 600
        c.idleConnectionTimeout = 5
        c.passwordGrant = false
        c.allowPasswordChange = false
        c.conversationTimeout = 30
        c.conversationLimit = 4
        c.store = "postgresql://pamtoken@db.example.com/pamtoken"
        c.storePasswordFile = "/etc/pamtoken/db-password"
        c.storePoolSize = 4
        c.clients = [
            OAuthClient(
                id: "wiki", name: "Team \"wiki\" \\ é", redirectURIs: ["https://wiki.example.com/cb", "http://127.0.0.1:8080/cb"],
                secretHash: "$2b$10$6I41Ln3cVhIyzqUv/RcRtOHotRB/ACbFxA7lGj5zs9md9kHWacs3i", scopes: ["openid", "groups"], allowedGroups: ["staff"],
                postLogoutRedirectURIs: ["https://wiki.example.com/bye"]),
            OAuthClient(id: "cli-app", redirectURIs: ["http://localhost:9000/callback"], isPublic: true),
        ]
        return c
    }

    /// The keys of `key = value` lines, in order.
    static func keys(in text: String) -> [String] {
        text.split(separator: "\n").compactMap { line in
            guard let equals = line.range(of: " = "), !line.hasPrefix("#") else { return nil }
            return String(line[..<equals.lowerBound])
        }
    }

    @Test("rendered() lists every key once, in the documented order")
    func everyKeyInOrder() {
        let keys = Self.keys(in: DaemonConfiguration().rendered())
        #expect(keys == ConfigurationLoader.knownKeys)
        #expect(keys.count == 39)
    }

    @Test("the rendered defaults load back as the defaults")
    func defaultsRoundTrip() throws {
        #expect(try load(DaemonConfiguration().rendered()).configuration == DaemonConfiguration())
    }

    @Test("a configuration with every key changed loads back equal from its rendering")
    func changedRoundTrip() throws {
        let original = Self.everythingChanged
        let rendered = original.rendered()
        // Every line differs from the defaults' line: the round trip really covers every key.
        let defaultLines = Set(DaemonConfiguration().rendered().split(separator: "\n").filter { !$0.hasPrefix("#") })
        for line in rendered.split(separator: "\n") where !line.hasPrefix("#") {
            #expect(!defaultLines.contains(line), "\(line) is still the default")
        }
        let outcome = try load(rendered)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.configuration == original)
    }

    @Test("the rendering quotes strings as TOML basic strings")
    func stringEscaping() {
        var c = DaemonConfiguration()
        c.stateDirectory = "a\"b\\c\td\u{1}"
        #expect(c.rendered().contains(#"state_dir = "a\"b\\c\td\u0001""#))
    }

    @Test("the example pamtoken.toml, uncommented, is exactly the built-in defaults")
    func exampleMatchesDefaults() throws {
        let example = try String(contentsOfFile: Self.examplePath, encoding: .utf8)
        let uncommented = example.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.wholeMatch(of: /# [a-z_]+ = .*/) != nil ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        #expect(Self.keys(in: uncommented).count == ConfigurationLoader.knownKeys.count)
        let outcome = try load(uncommented)
        #expect(outcome.error == nil, "\(String(describing: outcome.error))")
        #expect(outcome.configuration == DaemonConfiguration())
        // As shipped, everything commented out, it means the defaults too.
        #expect(try load(example).configuration == DaemonConfiguration())
    }

    @Test("the example documents exactly the known keys, in order, each after a comment of its own")
    func exampleKeys() throws {
        let lines = try String(contentsOfFile: Self.examplePath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var keys: [String] = []
        for (index, line) in lines.enumerated() {
            guard let match = line.wholeMatch(of: /# ([a-z_]+) = .*/) else { continue }
            keys.append(String(match.1))
            let previous = index > 0 ? lines[index - 1] : ""
            #expect(
                previous.hasPrefix("# ") && previous.wholeMatch(of: /# [a-z_]+ = .*/) == nil,
                "\(match.1) is explained by the comment above it")
        }
        #expect(keys == ConfigurationLoader.knownKeys)
    }
}
