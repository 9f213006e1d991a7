import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs `body` on a thread of its own, at the lowest scheduling priority, and waits for it
/// without holding one of Swift concurrency's threads (two on a two-core machine). A CPU-bound
/// test body that runs for seconds on one of them, or at their priority, stalls every other
/// suite's tasks meanwhile, and their timeouts fire. Check the result in the test: an `#expect`
/// inside `body` would run outside the test.
public func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            #if canImport(Glibc)
            // Linux keeps a nice value per thread: 0 is the calling thread, not the process.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            #endif
            continuation.resume(with: Result { try body() })
        }
    }
}
