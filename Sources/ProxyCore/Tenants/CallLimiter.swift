import KeycloakAdmin
import Synchronization

/// Slots for the calls in flight to one tenant, and a short queue in front of them.
///
/// A call takes a free slot at once; when none is free it waits in a first-in, first-out queue
/// of at most `maxQueued` calls, for at most the time it is given. A call that finds the queue
/// full, or waits too long, is refused. State is behind a mutex that is never held across a
/// suspension.
final class CallLimiter: Sendable {
    /// Why a call got no slot, with the limits it was refused under (a reload may change them
    /// while it waits).
    enum Refusal: Error, Sendable, Hashable {
        /// Every slot and every place in the queue was taken.
        case queueFull(TenantLimits)
        /// The call waited `waited` in the queue without a slot freeing up.
        case timedOut(waited: Duration, TenantLimits)
        /// The calling task was cancelled while it waited.
        case cancelled
    }

    private enum Waiter {
        /// In the queue; its continuation is not registered yet.
        case reserved
        case waiting(CheckedContinuation<Bool, Never>)
        /// Handed a slot before it registered its continuation.
        case granted
        /// Gave up before it registered its continuation.
        case abandoned
    }

    private struct State {
        var limits: TenantLimits
        var inFlight = 0
        /// Queue order; each id is in `waiters` until it is granted or gives up.
        var order: [UInt64] = []
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0

        /// Hands free slots to the queue's head; returns the continuations to resume with true.
        mutating func admitWaiters() -> [CheckedContinuation<Bool, Never>] {
            var resumed: [CheckedContinuation<Bool, Never>] = []
            while inFlight < limits.maxInFlight, !order.isEmpty {
                let id = order.removeFirst()
                switch waiters[id] {
                case .reserved:
                    waiters[id] = .granted
                    inFlight += 1
                case .waiting(let continuation):
                    waiters[id] = nil
                    inFlight += 1
                    resumed.append(continuation)
                case .granted, .abandoned, nil:
                    break
                }
            }
            return resumed
        }
    }

    private let state: Mutex<State>

    init(limits: TenantLimits) {
        state = Mutex(State(limits: limits))
    }

    /// Calls holding a slot.
    var inFlight: Int { state.withLock { $0.inFlight } }
    /// Calls waiting for a slot.
    var queued: Int { state.withLock { $0.order.count } }
    var limits: TenantLimits { state.withLock { $0.limits } }

    /// New limits: a larger one admits waiting calls at once; a smaller one lets the calls in
    /// flight finish and admits no new one until they fit.
    func update(_ limits: TenantLimits) {
        let resumed = state.withLock { state in
            state.limits = limits
            return state.admitWaiters()
        }
        for continuation in resumed { continuation.resume(returning: true) }
    }

    /// Takes a slot, waiting at most `maxWait` in the queue. Every successful call must be
    /// matched by one ``release()``.
    func acquire(maxWait: Duration) async throws(Refusal) {
        enum Entry { case admitted, queued(UInt64, TenantLimits), full(TenantLimits) }
        let entry: Entry = state.withLock { state in
            if state.order.isEmpty, state.inFlight < state.limits.maxInFlight {
                state.inFlight += 1
                return .admitted
            }
            guard state.order.count < state.limits.maxQueued else { return .full(state.limits) }
            state.nextID &+= 1
            state.order.append(state.nextID)
            state.waiters[state.nextID] = .reserved
            return .queued(state.nextID, state.limits)
        }
        switch entry {
        case .admitted: return
        case .full(let limits): throw .queueFull(limits)
        case .queued(let id, let limits):
            let started = ContinuousClock.now
            let granted = await withTaskGroup(of: Bool?.self) { group in
                group.addTask { await self.wait(id) }
                group.addTask {
                    await Deadlines.shared.expire(after: maxWait)
                    return nil
                }
                var result: Bool?
                while let next = await group.next() {
                    if let next {
                        result = next
                        group.cancelAll()
                    } else if result == nil {
                        // The timer fired first (or was cancelled): stop waiting; the wait task
                        // answers true if a slot was handed over in the meantime.
                        self.abandon(id)
                    }
                }
                return result ?? false
            }
            guard granted else {
                if Task.isCancelled { throw .cancelled }
                throw .timedOut(waited: ContinuousClock.now - started, limits)
            }
        }
    }

    /// Gives a slot back, or hands it to the call at the head of the queue.
    func release() {
        let resumed = state.withLock { state in
            state.inFlight -= 1
            return state.admitWaiters()
        }
        for continuation in resumed { continuation.resume(returning: true) }
    }

    private func wait(_ id: UInt64) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    switch state.waiters[id] {
                    case .reserved:
                        state.waiters[id] = .waiting(continuation)
                        return nil
                    case .granted:
                        state.waiters[id] = nil
                        return true
                    case .abandoned, .waiting, nil:
                        state.waiters[id] = nil
                        return false
                    }
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            abandon(id)
        }
    }

    /// Takes a waiting call out of the queue; it answers false unless it was granted already.
    private func abandon(_ id: UInt64) {
        let continuation: CheckedContinuation<Bool, Never>? = state.withLock { state in
            switch state.waiters[id] {
            case .reserved:
                state.waiters[id] = .abandoned
                state.order.removeAll { $0 == id }
                return nil
            case .waiting(let continuation):
                state.waiters[id] = nil
                state.order.removeAll { $0 == id }
                return continuation
            case .granted, .abandoned, nil:
                return nil
            }
        }
        continuation?.resume(returning: false)
    }
}
