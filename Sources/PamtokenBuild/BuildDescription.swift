/// The text of `--version --verbose` for pamtokend and pamtoken: what a bug report needs to name a
/// build exactly. `BuildInfo` is generated at build time (Plugins/BuildInfoPlugin).
public enum BuildDescription {
    /// `0.2.0 (commit 1a2b3c4d5e6f)`.
    public static func short(version: String) -> String {
        "\(version) (commit \(BuildInfo.commit))"
    }

    /// The short line, the toolchain, then one line per main dependency.
    public static func verbose(version: String) -> String {
        let main = ["hummingbird", "jwt-kit", "grdb.swift", "swift-nio", "swift-crypto", "swift-argument-parser", "swift-log", "tomlkit"]
        let dependencies = BuildInfo.dependencies.filter { main.contains($0.name.lowercased()) }.sorted { $0.name < $1.name }
        var lines = [short(version: version), "swift \(compilerVersion)"]
        lines += dependencies.map { "\($0.name) \($0.version)" }
        return lines.joined(separator: "\n")
    }

    private static var compilerVersion: String {
        #if compiler(>=6.3)
        "6.3 or later"
        #elseif compiler(>=6.2)
        "6.2"
        #else
        "before 6.2"
        #endif
    }
}
