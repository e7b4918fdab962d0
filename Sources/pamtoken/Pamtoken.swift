import PamtokenCLI

#if canImport(Glibc)
import Glibc
#endif

/// `pamtoken`: everything lives in PamtokenCLI so tests can run the commands in-process; this only
/// hands over the process and turns the result into the exit status (docs/api.md#the-pamtoken-cli: 0, 1, 2 or 3).
@main
struct Pamtoken {
    static func main() async {
        exit(await PamtokenCommand.runProcess())
    }
}
