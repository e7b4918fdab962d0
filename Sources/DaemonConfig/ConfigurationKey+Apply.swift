import TokenCore

extension ConfigurationKey {
    /// Checks `raw` against this key's type and format and stores it in `configuration`.
    ///
    /// Only what can be judged from the value alone is checked here (type, address syntax, names of
    /// algorithms, levels and formats); ranges and rules between keys are checked once every source is
    /// merged (``ConfigurationValidator``), so a bad file value overridden by a flag does no harm.
    func apply(_ raw: RawSetting, to configuration: inout DaemonConfiguration) throws(SettingProblem) {
        switch self {
        case .listen: configuration.listen = try listenAddresses(raw)
        case .allowRemote: configuration.allowRemote = try boolean(raw)
        case .allowedHosts: configuration.allowedHosts = try strings(raw)
        case .allowedOrigins: configuration.allowedOrigins = try strings(raw)
        case .stateDir: configuration.stateDirectory = try string(raw)
        case .store: configuration.store = try string(raw)
        case .storePasswordFile: configuration.storePasswordFile = try string(raw)
        case .storePoolSize: configuration.storePoolSize = try integer(raw)
        case .pamService: configuration.pamService = try string(raw)
        case .pamThreads: configuration.pamThreads = try integer(raw)
        case .pamLoginThreads: configuration.pamLoginThreads = try integer(raw)
        case .pamQueueLimit: configuration.pamQueueLimit = try integer(raw)
        case .failureDelayMilliseconds: configuration.failureDelayMilliseconds = try integer(raw)
        case .issuer: configuration.issuer = try string(raw)
        case .audience: configuration.audiences = try strings(raw)
        case .accessTTL: configuration.accessTTL = try integer(raw)
        case .refreshTTL: configuration.refreshTTL = try integer(raw)
        case .sessionMaxAge: configuration.sessionMaxAge = try integer(raw)
        case .reuseGrace: configuration.reuseGrace = try integer(raw)
        case .signingAlg: configuration.signingAlgorithm = try signingAlgorithm(raw)
        case .idleExit: configuration.idleExit = try integer(raw)
        case .logLevel: configuration.logLevel = try logLevel(raw)
        case .logFormat: configuration.logFormat = try logFormat(raw)
        case .durableCommits: configuration.durableCommits = try boolean(raw)
        case .peercredGrant: configuration.peercredGrant = try boolean(raw)
        case .peercredAllowRoot: configuration.peercredAllowRoot = try boolean(raw)
        case .allowSystemUsers: configuration.allowSystemUsers = try boolean(raw)
        case .passwordGrant: configuration.passwordGrant = try boolean(raw)
        case .allowPasswordChange: configuration.allowPasswordChange = try boolean(raw)
        case .conversationTimeout: configuration.conversationTimeout = try integer(raw)
        case .conversationLimit: configuration.conversationLimit = try integer(raw)
        case .adminGroup: configuration.adminGroup = try string(raw)
        case .throttleUserFailures: configuration.throttleUserFailures = try integer(raw)
        case .throttlePeerFailures: configuration.throttlePeerFailures = try integer(raw)
        case .throttleWindow: configuration.throttleWindow = try integer(raw)
        case .throttleMaxBackoff: configuration.throttleMaxBackoff = try integer(raw)
        case .gcInterval: configuration.gcInterval = try integer(raw)
        case .idleConnectionTimeout: configuration.idleConnectionTimeout = try integer(raw)
        case .clients: configuration.clients = try clients(raw)
        }
    }

    /// Turns an environment variable's text into the raw value this key wants: integers and booleans
    /// are parsed, lists are split at commas (`PAMTOKEN_AUDIENCE=api,web`), anything else stays text.
    func environmentSetting(_ text: String) throws(SettingProblem) -> RawSetting {
        let trimmed = text.trimmingWhitespace
        switch kind {
        case .seconds, .milliseconds, .count:
            guard let value = Int(trimmed) else { throw .invalid("must be \(expectation) (got \(quoted(text)))") }
            return .integer(value)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "1", "yes": return .boolean(true)
            case "false", "0", "no": return .boolean(false)
            default: throw .invalid("must be true, false, 1, 0, yes or no (got \(quoted(text)))")
            }
        case .strings, .listen:
            return .texts(text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace })
        case .string, .signingAlgorithm, .logLevel, .logFormat:
            return .text(text)
        case .clients:
            throw .invalid("can be set only in the configuration file, as [[clients]] tables")
        }
    }

    private func integer(_ raw: RawSetting) throws(SettingProblem) -> Int {
        guard case .integer(let value) = raw else { throw .wrongType(self, raw) }
        return value
    }

    private func boolean(_ raw: RawSetting) throws(SettingProblem) -> Bool {
        guard case .boolean(let value) = raw else { throw .wrongType(self, raw) }
        return value
    }

    private func string(_ raw: RawSetting) throws(SettingProblem) -> String {
        guard case .text(let value) = raw else { throw .wrongType(self, raw) }
        return value
    }

    /// A list key also accepts a single string (`audience = "api"`).
    private func strings(_ raw: RawSetting) throws(SettingProblem) -> [String] {
        switch raw {
        case .text(let value): [value]
        case .texts(let values): values
        default: throw .wrongType(self, raw)
        }
    }

    private func listenAddresses(_ raw: RawSetting) throws(SettingProblem) -> [ListenAddress] {
        var addresses: [ListenAddress] = []
        for text in try strings(raw) {
            do {
                addresses.append(try ListenAddress(parsing: text))
            } catch {
                throw .invalid("has \(quoted(text)), which is not a listen address: \(error.description)")
            }
        }
        return addresses
    }

    private func signingAlgorithm(_ raw: RawSetting) throws(SettingProblem) -> SigningAlgorithm {
        let name = try string(raw)
        guard let algorithm = SigningAlgorithm(name: name.trimmingWhitespace) else {
            throw .invalid("must be \(expectation) (got \(quoted(name)))")
        }
        return algorithm
    }

    /// Stored lower-cased, as swift-log's `Logger.Level` raw values are.
    private func logLevel(_ raw: RawSetting) throws(SettingProblem) -> String {
        let name = try string(raw)
        let level = name.trimmingWhitespace.lowercased()
        guard Self.logLevels.contains(level) else { throw .invalid("must be \(expectation) (got \(quoted(name)))") }
        return level
    }

    private func logFormat(_ raw: RawSetting) throws(SettingProblem) -> DaemonConfiguration.LogFormat {
        let name = try string(raw)
        guard let format = DaemonConfiguration.LogFormat(rawValue: name.trimmingWhitespace.lowercased()) else {
            throw .invalid("must be \(expectation) (got \(quoted(name)))")
        }
        return format
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines (no Foundation needed).
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
