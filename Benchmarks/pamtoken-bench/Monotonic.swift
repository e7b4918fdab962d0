import Dispatch

/// A monotonic clock in nanoseconds (`DispatchTime` reads CLOCK_MONOTONIC through the vDSO on Linux):
/// immune to wall-clock changes and cheap enough to read twice per request.
enum Monotonic {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }
}
