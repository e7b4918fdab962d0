/// The HTTP face of pamtoken: routes, listeners and middleware. Filled in by issue #3.
public enum TokenServer {
    /// The version reported by `--version` and in logs.
    public static let version = "0.1.0-dev"
}
