import Synchronization

/// Counts the calls that hold a tenant runtime and lets retirement wait for them.
///
/// A call enters before it uses the runtime and leaves when it is done. Retirement (``retire()``)
/// lets the calls inside finish; the last one to leave wakes it. From then on no call enters,
/// so the HTTP client is never used after it is shut down.
final class RuntimeLifecycle: Sendable {
    private struct State {
        var phase = TenantRuntime.Phase.serving
        var calls = 0
        var drainWaiter: CheckedContinuation<Void, Never>?
        var closedWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var phase: TenantRuntime.Phase { state.withLock { $0.phase } }
    var calls: Int { state.withLock { $0.calls } }

    /// Registers a call; false once the runtime is closing.
    func enter() -> Bool {
        state.withLock { state in
            switch state.phase {
            case .serving, .draining:
                state.calls += 1
                return true
            case .closing, .closed:
                return false
            }
        }
    }

    func leave() {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            state.calls -= 1
            guard state.calls == 0, case .draining = state.phase else { return nil }
            state.phase = .closing
            defer { state.drainWaiter = nil }
            return state.drainWaiter
        }
        waiter?.resume()
    }

    /// Stops the runtime from serving: it now only finishes the calls inside. True for the
    /// one caller that retired it, which must then call ``closeWhenDrained(_:)``.
    func retire() -> Bool {
        state.withLock { state in
            guard case .serving = state.phase else { return false }
            state.phase = state.calls == 0 ? .closing : .draining
            return true
        }
    }

    /// For the caller that retired the runtime: waits until no call holds it, runs `close`,
    /// and wakes everyone waiting in ``waitUntilClosed()``.
    func closeWhenDrained(_ close: () async -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state in
                if case .closing = state.phase { return true }
                state.drainWaiter = continuation
                return false
            }
            if drained { continuation.resume() }
        }
        await close()
        let waiters = state.withLock { state in
            state.phase = .closed
            defer { state.closedWaiters.removeAll() }
            return state.closedWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until the runtime is closed (by whoever retired it).
    func waitUntilClosed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let closed = state.withLock { state in
                if case .closed = state.phase { return true }
                state.closedWaiters.append(continuation)
                return false
            }
            if closed { continuation.resume() }
        }
    }
}
