import Foundation
import Histogram
import Synchronization

/// Runs one async operation in a loop on `tasks` concurrent tasks for a fixed time and reports
/// operations per second and latency percentiles: the in-process ceilings the routes are compared to.
struct LimitLoop: Sendable {
    let name: String
    let tasks: Int
    let duration: Double

    func run(_ operation: @escaping @Sendable (_ task: Int) async throws -> Void) async throws -> LimitReport {
        let deadline = Monotonic.now + UInt64(duration * 1e9)
        let results = try await withThrowingTaskGroup(of: (Int, Histogram<UInt64>).self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var histogram = Histogram<UInt64>.latency()
                    var count = 0
                    while Monotonic.now < deadline {
                        let started = Monotonic.now
                        try await operation(task)
                        _ = histogram.record(Monotonic.now - started)
                        count += 1
                    }
                    return (count, histogram)
                }
            }
            var all: [(Int, Histogram<UInt64>)] = []
            for try await result in group { all.append(result) }
            return all
        }
        let merged = Histogram.merged(results.map(\.1))
        let operations = results.reduce(0) { $0 + $1.0 }
        return LimitReport(
            limit: name, tasks: tasks, seconds: duration, operations: operations, opsPerSecond: Double(operations) / duration,
            p50Micros: merged.micros(atPercentile: 50), p99Micros: merged.micros(atPercentile: 99))
    }
}

/// One line of output for an in-process limit.
struct LimitReport: Codable, Sendable {
    var kind = "limit"
    var limit: String
    var tasks: Int
    var seconds: Double
    var operations: Int
    var opsPerSecond: Double
    var p50Micros: Double
    var p99Micros: Double
}
