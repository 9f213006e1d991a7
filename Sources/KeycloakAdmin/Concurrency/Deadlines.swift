import Synchronization

/// Waits that end at a deadline or at cancellation, checked by one sweep rather than one timer
/// each.
///
/// A cancelled `Task.sleep` keeps its timer until the time it was set for (Swift 6.3 on Linux),
/// so a long timeout per request that mostly ends early holds memory in proportion to the
/// request rate times the timeout (docs/benchmarks.md has the figures). Here a wait that is
/// cancelled only removes its entry. The sweep runs while there are waits and stops when there
/// are none.
public final class Deadlines: Sendable {
    /// The one the proxy uses: request and response timeouts, and queue waits.
    public static let shared = Deadlines()

    private enum Entry {
        /// Registered; the continuation is not stored yet.
        case starting(ContinuousClock.Instant)
        case waiting(ContinuousClock.Instant, CheckedContinuation<Void, Never>)
        /// Cancelled before the continuation was stored.
        case cancelled
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var sweeping = false
    }

    private let state = Mutex(State())
    /// How often expired waits are looked for: a wait ends up to this late.
    public let resolution: Duration

    public init(resolution: Duration = .milliseconds(50)) {
        self.resolution = resolution
    }

    /// Returns once `timeout` has passed (give or take ``resolution``), or at once when the
    /// task is cancelled.
    public func expire(after timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        let (id, startSweep) = state.withLock { state in
            state.nextID &+= 1
            state.entries[state.nextID] = .starting(deadline)
            defer { state.sweeping = true }
            return (state.nextID, !state.sweeping)
        }
        if startSweep {
            Task { await self.sweepWhileWaiting() }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let cancelled = state.withLock { state in
                    guard case .starting = state.entries[id] else {
                        state.entries[id] = nil
                        return true
                    }
                    state.entries[id] = .waiting(deadline, continuation)
                    return false
                }
                if cancelled { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                switch state.entries[id] {
                case .starting?:
                    state.entries[id] = .cancelled
                    return nil
                case .waiting(_, let continuation)?:
                    state.entries[id] = nil
                    return continuation
                case .cancelled?, nil:
                    return nil
                }
            }
            continuation?.resume()
        }
    }

    /// Waits registered and not ended.
    public var count: Int { state.withLock { $0.entries.count } }

    private func sweepWhileWaiting() async {
        while true {
            // A sleep that runs to its end: nothing is kept.
            try? await Task.sleep(for: resolution)
            let (expired, more) = state.withLock { state in
                let now = ContinuousClock.now
                var expired: [CheckedContinuation<Void, Never>] = []
                for (id, entry) in state.entries {
                    if case .waiting(let deadline, let continuation) = entry, deadline <= now {
                        expired.append(continuation)
                        state.entries[id] = nil
                    }
                }
                if state.entries.isEmpty { state.sweeping = false }
                return (expired, !state.entries.isEmpty)
            }
            for continuation in expired { continuation.resume() }
            if !more { return }
        }
    }
}
