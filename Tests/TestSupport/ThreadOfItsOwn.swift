import Foundation

/// Runs `body` on a thread of its own and waits for it without holding one of Swift
/// concurrency's threads (two on a two-core machine). A CPU-bound test body that runs for
/// seconds on one of them stalls every other suite's tasks meanwhile, and their timeouts fire.
/// Check the result in the test: an `#expect` inside `body` would run outside the test.
public func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
