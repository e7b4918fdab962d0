/// The version of pamtoken, in one place: `pamtokend --version`, `pamtoken --version`, the start-up
/// log line, the OpenAPI document's `info.version` (checked by a test) and the changelog agree with it.
public enum PamtokenVersion {
    public static let string = "0.2.0"
}
