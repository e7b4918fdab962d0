/// `--socket` and `--url` before the subcommand (`pamtoken --socket PATH login`), as `git -C`,
/// `kubectl --context` and `docker -H` take theirs.
///
/// swift-argument-parser gives a subcommand no way to inherit an option of a command more than one
/// level above it (`@ParentCommand` reaches the direct parent only, and `pamtoken admin keys list` is
/// three deep), so the options are moved instead: every command that talks to the daemon declares
/// them (``DaemonOptions``), and taking them from before the subcommand to after it makes both
/// spellings parse the same, with the same validation and the same help.
enum GlobalOptions {
    /// The names that may come before the subcommand.
    static let names: Set<String> = ["--socket", "--url"]

    /// `arguments` with the daemon options found before the first subcommand name moved after the
    /// subcommand path (before a `--` terminator, if any). Everything else keeps its order.
    static func hoisted(_ arguments: [String]) -> [String] {
        var moved: [String] = []
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" || !argument.hasPrefix("-") { break }
            let name = String(argument.prefix { $0 != "=" })
            guard names.contains(name) else { break }
            if argument.contains("=") {
                moved.append(argument)
                index += 1
            } else {
                guard index + 1 < arguments.count else { break }  // a missing value stays an error where it is
                moved += [argument, arguments[index + 1]]
                index += 2
            }
        }
        guard !moved.isEmpty else { return arguments }
        rest = Array(arguments[index...])
        if let terminator = rest.firstIndex(of: "--") {
            rest.insert(contentsOf: moved, at: terminator)
            return rest
        }
        return rest + moved
    }
}
