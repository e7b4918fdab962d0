import ArgumentParser
import Foundation

/// `pamtoken-bench`: the load generator and in-process limits behind `scripts/bench`.
/// Every subcommand prints JSON lines; `scripts/bench-report` turns them into docs/BENCHMARKS.md.
@main
struct PamtokenBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pamtoken-bench",
        abstract: "Benchmarks for pamtokend: HTTP load, in-process limits, seeding, cold start.",
        subcommands: [LoadCommand.self, LimitsCommand.self, SeedCommand.self, ProbeCommand.self])
}

/// One JSON object per line on standard output, written at once so a killed run keeps its lines.
enum BenchOutput {
    static func print(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }
}
