import Synchronization

/// A count that callbacks running anywhere may bump: tests check how often something was asked.
public final class Counter: Sendable {
    private let count = Mutex(0)

    public init() {}

    public func increment() {
        count.withLock { $0 += 1 }
    }

    public var value: Int { count.withLock { $0 } }
}
