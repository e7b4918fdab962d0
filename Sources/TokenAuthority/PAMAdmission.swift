import Synchronization

/// Bounds the PAM work in the daemon: at most `threads` transactions run and `queueLimit` more wait;
/// anything beyond is refused at once (429) instead of piling up behind a slow PAM stack.
final class PAMAdmission: Sendable {
    private let capacity: Int
    private let inFlight = Atomic<Int>(0)

    init(threads: Int, queueLimit: Int) {
        self.capacity = threads + queueLimit
    }

    /// Runs `body` if there is room, or returns nil without running it.
    func run<T>(_ body: () async throws -> T) async rethrows -> T? {
        let admitted = inFlight.wrappingAdd(1, ordering: .acquiring).newValue <= capacity
        defer { inFlight.wrappingSubtract(1, ordering: .releasing) }
        guard admitted else { return nil }
        return try await body()
    }

    /// PAM transactions running or waiting now.
    var current: Int { inFlight.load(ordering: .relaxed) }
}
