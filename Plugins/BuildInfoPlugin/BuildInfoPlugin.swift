import Foundation
import PackagePlugin

/// Writes `BuildInfo.swift` for the `PamtokenBuild` module at every build: the git commit the
/// sources are at (with `-dirty` when they differ from it) and the resolved versions of the main
/// dependencies, for `--version --verbose` and bug reports.
///
/// A prebuild command running `/bin/sh`, because the commit is a fact of the checkout at build time,
/// which SwiftPM offers no other way to read; the file is rewritten only when its text changes, so an
/// unchanged checkout recompiles nothing. Outside a git checkout the commit is `unknown`.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("BuildInfo.swift")
        let package = context.package.directoryURL.path
        return [
            .prebuildCommand(
                displayName: "Recording the commit and dependency versions of this build",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "build-info", package, output.path],
                outputFilesDirectory: context.pluginWorkDirectoryURL)
        ]
    }

    /// $1: the package directory; $2: the file to write.
    static let script = #"""
        set -u
        commit=$(git -C "$1" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
        if [ "$commit" != unknown ] && ! git -C "$1" diff --quiet HEAD -- Sources Package.swift 2>/dev/null; then commit="$commit-dirty"; fi
        deps=""
        if [ -f "$1/Package.resolved" ]; then
            deps=$(awk -F'"' '/"identity"/ { id = $4 } /"version"/ { if (id != "") printf "        (\"%s\", \"%s\"),\n", id, $4; id = "" }' "$1/Package.resolved")
        fi
        text=$(printf '%s\n' \
            '// Generated at build time by Plugins/BuildInfoPlugin; not in git.' \
            '/// Facts of the build: the commit it was made from, the dependency versions it was made with.' \
            'public enum BuildInfo {' \
            '    /// `git rev-parse --short=12 HEAD`, `-dirty` when the sources differed from it; `unknown` outside git.' \
            "    public static let commit = \"$commit\"" \
            '    /// The resolved version of every package dependency (Package.resolved), by identity.' \
            '    public static let dependencies: [(name: String, version: String)] = [' \
            "$deps" \
            '    ]' \
            '}')
        if [ ! -f "$2" ] || [ "$(cat "$2")" != "$text" ]; then printf '%s\n' "$text" > "$2"; fi
        """#
}
