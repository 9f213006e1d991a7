import Synchronization

/// The first value given to ``give(_:)`` (a call's reply, or nil at its deadline), for one
/// ``value()`` to wait for; later ones are ignored. A value given before the wait is kept.
final class FirstAnswer<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, Never>)
        case given(Value)
        case taken
    }

    private let state = Mutex(State.empty)

    /// Settles the answer if nothing has yet.
    func give(_ value: Value) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, Never>? in
            switch state {
            case .empty:
                state = .given(value)
                return nil
            case .waiting(let continuation):
                state = .taken
                return continuation
            case .given, .taken:
                return nil
            }
        }
        waiter?.resume(returning: value)
    }

    /// The first value given; call it once.
    func value() async -> Value {
        await withCheckedContinuation { continuation in
            let given = state.withLock { state -> Value? in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .given(let value):
                    state = .taken
                    return value
                case .waiting, .taken:
                    preconditionFailure("FirstAnswer.value() called twice")
                }
            }
            if let given { continuation.resume(returning: given) }
        }
    }
}
