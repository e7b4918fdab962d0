import ArgumentParser
import PamtokenCLI

/// `pamtoken`: everything lives in PamtokenCLI so tests can run the commands in-process.
@main
struct Pamtoken {
    static func main() async {
        await PamtokenCommand.main()
    }
}
