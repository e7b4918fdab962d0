import DaemonConfig
import FuzzSupport

/// libFuzzer target: the bytes of `pamtoken.toml`, through the same checks as a file read from disk
/// (size, UTF-8, NUL), TOMLKit's parser (toml++), key and type checks, and validation.
///
/// Properties beyond "no crash": a refusal is one non-empty line (the daemon prints it as its only
/// output and exits 1), and an accepted configuration survives `--check-config`: its rendering loads
/// back to an equal configuration.
@main
enum Main {
    static func main() { FuzzDriver.run(fuzzConfig) }
}

// Also exported under libFuzzer's conventional name, which its runtime references.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzDriver.bytes(data, size)
    let loader = ConfigurationLoader()
    do {
        let configuration = try loader.load(fileContents: bytes, path: "/etc/pamtoken/pamtoken.toml")
        let rendered = Array(configuration.rendered().utf8)
        let again = try? loader.load(fileContents: rendered, path: "rendered")
        precondition(again == configuration, "an accepted configuration does not load back from its rendering")
    } catch {
        let message = error.description
        precondition(!message.isEmpty && !message.contains("\n"), "a configuration error is not one line")
    }
    return 0
}
