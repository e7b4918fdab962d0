import CFuzzer
import Dispatch
import Glibc
import Synchronization

/// What every fuzz target's `main` does: hand its input callback to libFuzzer's driver, which parses
/// libFuzzer's own flags from the command line and never returns.
///
/// The callback gets each input as a pointer and a length (the pointer may be `nil` when the length
/// is 0). It returns 0; a broken property is reported by trapping, which libFuzzer records as a crash
/// together with the input.
public enum FuzzDriver {
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    public static func run(_ callback: Callback) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv, callback)
        exit(status)
    }

    /// The input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Runs async work to completion from libFuzzer's plain C thread, which belongs to no executor
    /// and may block.
    public static func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result: Result<T, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            box.result.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return box.result.withLock { $0! }
    }

    /// ``blocking(_:)-(()async throws->T)`` for work that cannot fail.
    public static func blocking<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
        let result: Result<T, any Error> = blocking { () async throws -> T in await operation() }
        return try! result.get()
    }
}

/// Carries a result from the detached task to the blocked fuzzer thread.
private final class ResultBox<T: Sendable>: Sendable {
    let result = Mutex<Result<T, any Error>?>(nil)
}
