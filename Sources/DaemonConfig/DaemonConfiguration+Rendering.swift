import TokenCore

extension DaemonConfiguration {
    /// The configuration as a TOML document listing every key in documented order, for
    /// `pamtokend --check-config`. Loading the text gives back an equal configuration.
    public func rendered() -> String {
        var lines = [
            "# pamtokend: effective configuration (defaults < pamtoken.toml < PAMTOKEN_* < flags).",
            "# Every key, in the order of etc/pamtoken/pamtoken.toml; all durations are in seconds unless named _ms.",
        ]
        for key in ConfigurationKey.allCases where key != .clients || clients.isEmpty {
            lines.append("\(key.name) = \(tomlLiteral(of: key))")
        }
        for client in clients {
            lines.append("")
            lines.append("[[clients]]")
            lines.append("id = \(TOMLText.string(client.id))")
            lines.append("name = \(TOMLText.string(client.name))")
            lines.append("redirect_uris = \(TOMLText.array(client.redirectURIs))")
            if let hash = client.secretHash { lines.append("secret_hash = \(TOMLText.string(hash))") }
            lines.append("public = \(client.isPublic)")
            lines.append("scopes = \(TOMLText.array(client.scopes))")
            lines.append("allowed_groups = \(TOMLText.array(client.allowedGroups))")
            lines.append("post_logout_redirect_uris = \(TOMLText.array(client.postLogoutRedirectURIs))")
            if let algorithm = client.idTokenAlgorithm { lines.append("id_token_alg = \(TOMLText.string(algorithm.rawValue))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The TOML literal of `key`'s value.
    private func tomlLiteral(of key: ConfigurationKey) -> String {
        switch key {
        case .listen: TOMLText.array(listen.map(\.description))
        case .allowRemote: String(allowRemote)
        case .allowedHosts: TOMLText.array(allowedHosts)
        case .allowedOrigins: TOMLText.array(allowedOrigins)
        case .stateDir: TOMLText.string(stateDirectory)
        case .store: TOMLText.string(store)
        case .storePasswordFile: TOMLText.string(storePasswordFile)
        case .storePoolSize: String(storePoolSize)
        case .pamService: TOMLText.string(pamService)
        case .pamThreads: String(pamThreads)
        case .pamLoginThreads: String(pamLoginThreads)
        case .pamQueueLimit: String(pamQueueLimit)
        case .failureDelayMilliseconds: String(failureDelayMilliseconds)
        case .issuer: TOMLText.string(issuer)
        case .audience: TOMLText.array(audiences)
        case .accessTTL: String(accessTTL)
        case .refreshTTL: String(refreshTTL)
        case .sessionMaxAge: String(sessionMaxAge)
        case .reuseGrace: String(reuseGrace)
        case .signingAlg: TOMLText.string(signingAlgorithm.rawValue)
        case .idleExit: String(idleExit)
        case .logLevel: TOMLText.string(logLevel)
        case .logFormat: TOMLText.string(logFormat.rawValue)
        case .durableCommits: String(durableCommits)
        case .peercredGrant: String(peercredGrant)
        case .peercredAllowRoot: String(peercredAllowRoot)
        case .allowSystemUsers: String(allowSystemUsers)
        case .passwordGrant: String(passwordGrant)
        case .allowPasswordChange: String(allowPasswordChange)
        case .conversationTimeout: String(conversationTimeout)
        case .conversationLimit: String(conversationLimit)
        case .adminGroup: TOMLText.string(adminGroup)
        case .throttleUserFailures: String(throttleUserFailures)
        case .throttlePeerFailures: String(throttlePeerFailures)
        case .throttleWindow: String(throttleWindow)
        case .throttleMaxBackoff: String(throttleMaxBackoff)
        case .gcInterval: String(gcInterval)
        case .idleConnectionTimeout: String(idleConnectionTimeout)
        case .clients: "[]"
        }
    }
}

/// TOML literals (TOML 1.0 §String, §Array).
enum TOMLText {
    /// A basic string: `"` and `\` escaped, control characters as `\uXXXX` (or their short escapes).
    static func string(_ value: String) -> String {
        QuotedString.quote(value)
    }

    static func array(_ values: [String]) -> String {
        "[" + values.map(string).joined(separator: ", ") + "]"
    }
}
