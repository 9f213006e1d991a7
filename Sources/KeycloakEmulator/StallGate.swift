import Synchronization

/// Holds requests until a test releases them.
final class StallGate: Sendable {
    private struct State {
        /// Stalling applies to these kinds; `nil` in the set means every kind.
        var kinds: Set<EndpointKind?> = []
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
        /// Bumped by every release, so a waiter that registers late does not wait forever.
        var generation: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    func stall(_ kind: EndpointKind?) {
        state.withLock { state in
            if !state.closed { state.kinds.insert(kind) }
        }
    }

    /// Resumes every held request and stops holding new ones.
    func release() {
        let waiters = state.withLock { state in
            state.kinds.removeAll()
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Releases everything and never stalls again: the server is shutting down.
    func close() {
        state.withLock { $0.closed = true }
        release()
    }

    /// How many requests are being held right now.
    var heldCount: Int {
        state.withLock { $0.waiters.count }
    }

    /// Suspends while stalling is on for `kind`, until ``release()`` or task cancellation.
    func waitIfStalled(_ kind: EndpointKind) async {
        let ticket: (id: UInt64, generation: UInt64)? = state.withLock { state in
            guard state.kinds.contains(nil) || state.kinds.contains(kind) else { return nil }
            state.nextID &+= 1
            return (state.nextID, state.generation)
        }
        guard let ticket else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.cancelled.remove(ticket.id) != nil || state.generation != ticket.generation {
                        return true
                    }
                    state.waiters[ticket.id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                guard let waiter = state.waiters.removeValue(forKey: ticket.id) else {
                    state.cancelled.insert(ticket.id)
                    return nil as CheckedContinuation<Void, Never>?
                }
                return waiter
            }
            waiter?.resume()
        }
    }
}
