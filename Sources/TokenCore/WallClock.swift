public import Foundation

/// The current time, injected everywhere a rule depends on it (token expiry, reuse grace, key
/// retirement, throttling), so tests move time instead of sleeping — as jwt-kit's claims take
/// `currentDate:` and Hummingbird's persist driver takes a `Clock`.
public protocol WallClock: Sendable {
    /// Now, as a point in wall-clock time (tokens carry wall-clock NumericDates).
    var now: Date { get }
}

extension WallClock {
    /// Now rounded down to a whole second: JWT NumericDates are integers in our tokens, and storing the
    /// same value keeps database rows and token claims in exact agreement.
    public var nowInSeconds: Date {
        Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down))
    }
}

/// The system's real-time clock.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
