import NIOCore
import NIOPosix
import ProxyCore
import Synchronization

/// The stdio requests being answered, by JSON-RPC id, so that one can be cancelled and all
/// waited for at the end.
final class RunningCalls: Sendable {
    private struct State {
        var tasks: [UInt64: (id: JSONValue?, task: Task<Void, Never>)] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())

    func start(_ id: JSONValue?, _ body: @escaping @Sendable () async -> Void) {
        state.withLock { state in
            let key = state.next
            state.next += 1
            state.tasks[key] = (id, Task {
                await body()
                self.state.withLock { _ = $0.tasks.removeValue(forKey: key) }
            })
        }
    }

    /// Cancels the request whose id is `id`.
    func cancel(_ id: JSONValue) {
        for entry in state.withLock({ $0.tasks.values.filter { $0.id == id } }) { entry.task.cancel() }
    }

    /// Waits for every call to end, or `timeout`; then cancels what is left. Whether all ended.
    func finish(within timeout: Duration) async -> Bool {
        let running = state.withLock { $0.tasks.values.map(\.task) }
        guard !running.isEmpty else { return true }
        let first = FirstAnswer<Bool>()
        let all = Task {
            for task in running { await task.value }
            first.give(true)
        }
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) { first.give(false) }
        let finished = await first.value()
        timer.cancel()
        if !finished {
            // Not waited for: a call that ignores cancellation must not hold the process.
            for task in running { task.cancel() }
            all.cancel()
        }
        return finished
    }
}
