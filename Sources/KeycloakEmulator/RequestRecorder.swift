import Synchronization

/// Counts requests by endpoint and keeps the most recent ones as received.
final class RequestRecorder: Sendable {
    private struct State {
        var counts: [EndpointKind: Int] = [:]
        var log: [RecordedRequest] = []
        /// Index of the oldest entry once the log is full.
        var start = 0
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) {
        self.limit = max(0, limit)
    }

    func record(_ request: RecordedRequest) {
        state.withLock { state in
            state.counts[request.kind, default: 0] += 1
            guard limit > 0 else { return }
            if state.log.count < limit {
                state.log.append(request)
            } else {
                state.log[state.start] = request
                state.start = (state.start + 1) % limit
            }
        }
    }

    func count(_ kind: EndpointKind) -> Int {
        state.withLock { $0.counts[kind, default: 0] }
    }

    var counts: [EndpointKind: Int] {
        state.withLock { $0.counts }
    }

    /// Oldest first.
    var log: [RecordedRequest] {
        state.withLock { Array($0.log[$0.start...] + $0.log[..<$0.start]) }
    }

    func reset() {
        state.withLock { $0 = State() }
    }
}
