/// Where the effective value of a key came from, so that an error can point there.
enum SettingOrigin: Equatable, Sendable {
    case builtIn
    case file(path: String)
    case environment
    case flag

    /// Where the value came from followed by `problem`, on one line:
    /// - file: `/etc/pamtoken/pamtoken.toml: 'access_ttl' must be at least 1 (got 0)`
    /// - environment: `PAMTOKEN_ACCESS_TTL: must be at least 1 (got 0)`
    /// - flag: `--access-ttl: must be at least 1 (got 0)`
    func message(_ key: ConfigurationKey, _ problem: String) -> String {
        switch self {
        case .builtIn: "built-in default of '\(key.name)' \(problem)"
        case .file(let path): "\(path): '\(key.name)' \(problem)"
        case .environment: "\(key.environmentName): \(problem)"
        case .flag: "\(key.flag ?? key.name): \(problem)"
        }
    }

    func error(_ key: ConfigurationKey, _ problem: SettingProblem) -> ConfigurationError {
        ConfigurationError(problem.kind, key: key.name, message(key, problem.message))
    }
}
