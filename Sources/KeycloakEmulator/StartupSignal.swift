import Synchronization

/// Tells waiters the port the server bound, once it is listening.
final class StartupSignal: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case running(port: Int)
        case failed(any Error)
    }

    private let state = Mutex(State.waiting([]))

    var port: Int? {
        state.withLock { state in
            if case .running(let port) = state { return port }
            return nil
        }
    }

    func markRunning(port: Int) {
        let waiters = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [CheckedContinuation<Int, any Error>]() }
            state = .running(port: port)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func fail(_ error: any Error) {
        let waiters = state.withLock { state in
            if case .waiting(let waiters) = state {
                state = .failed(error)
                return waiters
            }
            state = .failed(error)
            return []
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .running(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }
}
