import DaemonConfig
import Foundation
import Testing

/// A private temporary directory for one test, removed by ``cleanUp()``.
struct ConfigScratch {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pamtoken-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    }

    /// A path in the directory where nothing exists.
    var missing: String { directory + "/absent.toml" }

    /// A loader whose default file is ``missing``, so that the host's /etc/pamtoken never leaks into a test.
    var loader: ConfigurationLoader { ConfigurationLoader(defaultPath: missing) }

    @discardableResult
    func write(_ text: String, name: String = "pamtoken.toml") throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The outcome of loading `toml` (as the file named by `--config`; no file when `nil`), `environment` and `flags`.
struct LoadOutcome {
    /// Where the file was written, as the messages name it.
    let path: String
    let result: Result<DaemonConfiguration, ConfigurationError>

    var configuration: DaemonConfiguration? { try? result.get() }

    var error: ConfigurationError? {
        guard case .failure(let error) = result else { return nil }
        return error
    }
}

func load(
    _ toml: String?,
    environment: [String: String] = [:],
    flags: ConfigurationOverrides = ConfigurationOverrides(),
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> LoadOutcome {
    let scratch = try ConfigScratch()
    defer { scratch.cleanUp() }
    let path = try toml.map { try scratch.write($0) }
    let result = Result { () throws(ConfigurationError) in
        try scratch.loader.load(configPath: path, environment: environment, overrides: flags)
    }
    if case .failure(let error) = result {
        #expect(!error.description.contains("\n"), "an error is one line", sourceLocation: sourceLocation)
    }
    return LoadOutcome(path: path ?? scratch.missing, result: result)
}
