/// Builds the daemon's ``DaemonConfiguration`` from its four sources, later ones winning
/// (docs/configuration.md): built-in defaults, the TOML file, `PAMTOKEN_*` environment variables, flags.
///
/// Loading has no side effects: it reads one file at most and never creates or changes anything, so
/// `pamtokend --check-config` and a refused start leave the system as they found it.
///
/// ```swift
/// let configuration = try ConfigurationLoader.load(
///     configPath: options.config, environment: ProcessInfo.processInfo.environment, overrides: flags)
/// ```
public struct ConfigurationLoader: Sendable {
    /// Where the configuration file is when neither `--config` nor `PAMTOKEN_CONFIG` names one (docs/api.md#transports).
    public static let systemPath = "/etc/pamtoken/pamtoken.toml"
    /// The environment variable that names the configuration file, like `--config`.
    public static let configPathVariable = "PAMTOKEN_CONFIG"

    /// Every key the file accepts, in documented order; `PAMTOKEN_` + the upper-cased key is its variable.
    public static var knownKeys: [String] { ConfigurationKey.allCases.map(\.name) }

    /// The file read when none is named. Missing, it means built-in defaults; a named file must exist.
    public var defaultPath: String
    /// What every source is layered over: the built-in defaults, unless the command line changed one
    /// of them (`--default-idle-exit`, which the unit uses so that the file can still say otherwise).
    public var defaults: DaemonConfiguration

    /// - Parameters:
    ///   - defaultPath: the file read when neither `--config` nor `PAMTOKEN_CONFIG` names one.
    ///   - defaults: the values every source is layered over.
    public init(defaultPath: String = ConfigurationLoader.systemPath, defaults: DaemonConfiguration = DaemonConfiguration()) {
        self.defaultPath = defaultPath
        self.defaults = defaults
    }

    /// Loads the configuration with the default file at ``systemPath``.
    public static func load(
        configPath: String?,
        environment: [String: String],
        overrides: ConfigurationOverrides = ConfigurationOverrides()
    ) throws(ConfigurationError) -> DaemonConfiguration {
        try ConfigurationLoader().load(configPath: configPath, environment: environment, overrides: overrides)
    }

    /// Loads the configuration.
    /// - Parameters:
    ///   - configPath: the `--config` flag; `nil` when not given. `PAMTOKEN_CONFIG` is used next, then ``defaultPath``.
    ///   - environment: the process environment; only `PAMTOKEN_<KEY>` and `PAMTOKEN_CONFIG` are read.
    ///   - overrides: the command-line flags.
    /// - Throws: ``ConfigurationError`` whose description is one line naming the source, the key and the problem.
    public func load(
        configPath: String?,
        environment: [String: String],
        overrides: ConfigurationOverrides = ConfigurationOverrides()
    ) throws(ConfigurationError) -> DaemonConfiguration {
        try merge(file: try fileSettings(configPath: configPath, environment: environment), environment: environment, overrides: overrides)
    }

    /// Loads the configuration from a file's bytes already in memory, checked exactly as if `path`
    /// had been read from disk (UTF-8, no NUL, size). For tools that hold the text, and the fuzzer.
    public func load(
        fileContents bytes: [UInt8],
        path: String,
        environment: [String: String] = [:],
        overrides: ConfigurationOverrides = ConfigurationOverrides()
    ) throws(ConfigurationError) -> DaemonConfiguration {
        let text = try ConfigurationFile.text(bytes, path: path)
        return try merge(file: (path, try ConfigurationFile.settings(fromTOML: text, path: path)), environment: environment, overrides: overrides)
    }

    /// Layers the file's settings, the environment and the flags over the defaults, then validates.
    private func merge(
        file: (String, [(ConfigurationKey, RawSetting)])?,
        environment: [String: String],
        overrides: ConfigurationOverrides
    ) throws(ConfigurationError) -> DaemonConfiguration {
        var layers: [(SettingOrigin, [(ConfigurationKey, RawSetting)])] = []
        if let (path, settings) = file {
            layers.append((.file(path: path), settings))
        }
        layers.append((.environment, try Self.environmentSettings(environment)))
        layers.append((.flag, overrides.settings))

        var configuration = defaults
        var origins: [ConfigurationKey: SettingOrigin] = [:]
        for (origin, settings) in layers {
            for (key, raw) in settings {
                do {
                    try key.apply(raw, to: &configuration)
                } catch {
                    throw origin.error(key, error)
                }
                origins[key] = origin
            }
        }
        try ConfigurationValidator(configuration: configuration, origins: origins).validate()
        return configuration
    }

    /// The file's path and settings, or `nil` when the default file is absent.
    private func fileSettings(
        configPath: String?,
        environment: [String: String]
    ) throws(ConfigurationError) -> (String, [(ConfigurationKey, RawSetting)])? {
        let path: String
        let namedBy: String?
        if let configPath {
            guard !configPath.isEmpty else { throw ConfigurationError(.fileNotFound, "--config: the path is empty") }
            (path, namedBy) = (configPath, "--config")
        } else if let variable = environment[Self.configPathVariable], !variable.isEmpty {
            (path, namedBy) = (variable, Self.configPathVariable)
        } else {
            (path, namedBy) = (defaultPath, nil)
        }
        guard let text = try ConfigurationFile.contents(of: path) else {
            guard let namedBy else { return nil }
            throw ConfigurationError(.fileNotFound, "\(path): no such file (named by \(namedBy))")
        }
        return (path, try ConfigurationFile.settings(fromTOML: text, path: path))
    }

    /// `PAMTOKEN_<KEY>` for every known key. Other `PAMTOKEN_*` variables (`PAMTOKEN_SOCKET`, which
    /// belongs to the CLI, or a misspelling) are not looked at.
    private static func environmentSettings(_ environment: [String: String]) throws(ConfigurationError) -> [(ConfigurationKey, RawSetting)] {
        var settings: [(ConfigurationKey, RawSetting)] = []
        for key in ConfigurationKey.allCases {
            guard let text = environment[key.environmentName] else { continue }
            do {
                settings.append((key, try key.environmentSetting(text)))
            } catch {
                throw SettingOrigin.environment.error(key, error)
            }
        }
        return settings
    }
}
