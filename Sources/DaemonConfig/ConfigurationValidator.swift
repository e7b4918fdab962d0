import Foundation
import TokenCore

/// The rules a merged configuration must satisfy, checked once every source has been applied.
///
/// Errors name the source of the offending value (``SettingOrigin``), and keys are checked in the
/// documented order so that the first error reported does not depend on dictionary order.
struct ConfigurationValidator {
    /// Durations above ten years are surely mistakes, and would overflow date arithmetic long before `Int.max`.
    static let maximumSeconds = 315_360_000

    let configuration: DaemonConfiguration
    let origins: [ConfigurationKey: SettingOrigin]

    func validate() throws(ConfigurationError) {
        for key in ConfigurationKey.allCases {
            if let problem = problem(with: key) {
                throw (origins[key] ?? .builtIn).error(key, .invalid(problem))
            }
        }
    }

    /// What is wrong with `key`'s value, completing a sentence whose subject is the key.
    private func problem(with key: ConfigurationKey) -> String? {
        let c = configuration
        switch key {
        case .listen: return listenProblem()
        case .stateDir:
            if c.stateDirectory.isEmpty { return "must not be empty" }
            return c.stateDirectory.utf8.contains(0) ? "must not contain a NUL byte" : nil
        case .pamService:
            let valid = !c.pamService.isEmpty && !c.pamService.contains { $0 == "/" || $0.isWhitespace || $0 == "\0" }
            return valid ? nil : "must be the name of a file in /etc/pam.d, without / or spaces (got \(quoted(c.pamService)))"
        case .store:
            let postgres = c.store.hasPrefix("postgresql://") || c.store.hasPrefix("postgres://")
            guard c.store.isEmpty || postgres else {
                return "must be empty (SQLite in state_dir) or a postgresql:// URL (got \(quoted(String(c.store.prefix(80)))))"
            }
            // A fleet's hosts verify each other's tokens with the public keys they publish; an HMAC key has none.
            return postgres && c.signingAlgorithm == .hs256
                ? "a postgresql:// store shares public keys between hosts; signing_alg = \"HS256\" has none (use ES256, EdDSA or RS256)" : nil
        case .storePasswordFile:
            if c.storePasswordFile.isEmpty { return nil }
            return c.storePasswordFile.hasPrefix("/") ? nil : "must be an absolute path (got \(quoted(c.storePasswordFile)))"
        case .storePoolSize: return range(c.storePoolSize, 1...100)
        case .pamThreads: return range(c.pamThreads, 1...256)
        case .pamLoginThreads: return range(c.pamLoginThreads, 0...256)
        case .pamQueueLimit: return range(c.pamQueueLimit, 0...Int.max)
        case .failureDelayMilliseconds: return range(c.failureDelayMilliseconds, 0...10_000)
        case .issuer: return issuerProblem()
        case .audience:
            if c.audiences.isEmpty { return "must name at least one audience" }
            return c.audiences.contains(where: \.isEmpty) ? "must not contain an empty audience" : nil
        case .accessTTL: return seconds(c.accessTTL, minimum: 1)
        case .refreshTTL: return seconds(c.refreshTTL, minimum: 1)
        case .sessionMaxAge: return seconds(c.sessionMaxAge, minimum: 1)
        case .reuseGrace:
            if let problem = seconds(c.reuseGrace, minimum: 0) { return problem }
            return c.reuseGrace < c.refreshTTL ? nil : "must be less than refresh_ttl (\(c.refreshTTL)) (got \(c.reuseGrace))"
        case .idleExit: return seconds(c.idleExit, minimum: 0)
        case .conversationTimeout: return range(c.conversationTimeout, 10...900)
        case .conversationLimit: return range(c.conversationLimit, 1...256)
        case .adminGroup:
            let valid = !c.adminGroup.contains { $0 == ":" || $0 == "," || $0.isWhitespace || $0 == "\0" }
            return valid ? nil : "must be a group name, without ':', ',' or spaces (got \(quoted(c.adminGroup)))"
        case .throttleUserFailures: return range(c.throttleUserFailures, 1...Int.max)
        case .throttlePeerFailures: return range(c.throttlePeerFailures, 1...Int.max)
        case .throttleWindow: return seconds(c.throttleWindow, minimum: 1)
        case .throttleMaxBackoff: return seconds(c.throttleMaxBackoff, minimum: 1)
        case .gcInterval: return seconds(c.gcInterval, minimum: 1)
        case .idleConnectionTimeout: return seconds(c.idleConnectionTimeout, minimum: 1)
        case .allowedHosts:
            let bad = c.allowedHosts.first { $0.isEmpty || $0.contains { $0 == "/" || $0 == "@" || $0.isWhitespace || $0 == "\0" } }
            return bad.map { "must list host names without scheme, path or spaces, such as auth.example.com (got \(quoted($0)))" }
        case .allowedOrigins:
            let bad = c.allowedOrigins.first { WebOrigin(url: $0)?.serialized != $0.lowercased() }
            return bad.map { "must list origins as scheme://host[:port], such as https://app.example.com (got \(quoted($0)))" }
        case .clients: return clientsProblem()
        case .allowRemote, .signingAlg, .logLevel, .logFormat, .durableCommits, .peercredGrant, .peercredAllowRoot, .allowSystemUsers,
            .passwordGrant, .allowPasswordChange:
            return nil  // fully checked when parsed
        }
    }

    private func range(_ value: Int, _ bounds: ClosedRange<Int>) -> String? {
        if bounds.contains(value) { return nil }
        if bounds.upperBound == Int.max { return "must be at least \(bounds.lowerBound) (got \(value))" }
        return "must be from \(bounds.lowerBound) to \(bounds.upperBound) (got \(value))"
    }

    private func seconds(_ value: Int, minimum: Int) -> String? {
        if value < minimum { return minimum == 1 ? "must be positive (got \(value))" : "must not be negative (got \(value))" }
        if value > Self.maximumSeconds { return "must be at most \(Self.maximumSeconds) seconds, ten years (got \(value))" }
        return nil
    }

    /// docs/configuration.md: a non-loopback TCP listener is refused unless `allow_remote = true`.
    private func listenProblem() -> String? {
        let listen = configuration.listen
        if listen.isEmpty { return "must name at least one address" }
        var seen: Set<ListenAddress> = []
        for address in listen where !seen.insert(address).inserted {
            return "lists \(quoted(address.description)) twice"
        }
        if !configuration.allowRemote, let remote = listen.first(where: { !$0.isLocalOnly }) {
            return "has \(quoted(remote.description)), which is not a loopback address; "
                + "set allow_remote = true (PAMTOKEN_ALLOW_REMOTE=true) to accept connections from other machines"
        }
        return nil
    }

    /// RFC 8414 §2: the issuer is a URL with no query or fragment. `http` is allowed, unlike the RFC,
    /// because the daemon serves loopback and Unix sockets where TLS is the reverse proxy's business.
    private func issuerProblem() -> String? {
        let issuer = configuration.issuer
        let rule = "must be an http or https URL without query or fragment, such as https://auth.example.com (got \(quoted(issuer)))"
        guard let url = URLComponents(string: issuer), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil, url.user == nil, url.password == nil
        else { return rule }
        return nil
    }
}
