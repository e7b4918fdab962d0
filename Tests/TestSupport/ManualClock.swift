public import Foundation
import Synchronization
public import TokenCore

/// A clock that only moves when told to: tests move time instead of sleeping.
public final class ManualClock: WallClock {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.current = Mutex(start)
    }

    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward (or back, with a negative interval).
    public func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Sets the clock to a given instant.
    public func set(_ date: Date) {
        current.withLock { $0 = date }
    }
}
