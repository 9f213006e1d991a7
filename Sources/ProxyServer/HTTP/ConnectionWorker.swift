import NIOCore
import NIOHTTP1
import Synchronization

/// The task that answers one connection's requests, one at a time, for as long as the
/// connection lives.
///
/// A task per request cost a task object and, on every call, the slabs its allocator needs for
/// the call's async frames (about 17 mallocs a call); a task that lives on keeps its slabs, so
/// every request after the first reuses them.
///
/// Handed requests by ``HTTPConnectionHandler`` on the connection's event loop; its state is
/// touched on that loop only (hence `@unchecked Sendable`).
final class ConnectionWorker: @unchecked Sendable {
    /// One request to answer, with what writing its answer needs.
    struct Job: Sendable {
        let request: IncomingRequest
        let number: UInt64
        let version: HTTPVersion
        let keepAlive: Bool
        let isHead: Bool
        /// Its response timeout passed before it reached the task (a call that went again from
        /// the event loop late): it runs cancelled, so it sends Keycloak no admin request, is
        /// audited as cancelled and answered with the timeout's error, and the task ends after
        /// it, as after any cancellation.
        var expired = false
    }

    private let loop: any EventLoop
    private var waiting: UnsafeContinuation<Job?, Never>?
    private var pending: Job?
    private var finished = false
    private var task: Task<Void, Never>?

    /// How many connection tasks are running: each counts from its start until it has ended.
    final class Count: Sendable {
        private let value = Atomic<Int>(0)
        var running: Int { value.load(ordering: .relaxed) }
        func add(_ change: Int) { value.add(change, ordering: .relaxed) }
    }

    /// Starts the task: `answer` runs for each job, in the order given.
    init(loop: any EventLoop, executor: EventLoopTaskExecutor?, count: Count, answer: @escaping @Sendable (Job) async -> Void) {
        self.loop = loop
        count.add(1)
        task = Task(executorPreference: executor) { [self] in
            defer { count.add(-1) }
            while !Task.isCancelled, let job = await next() {
                if job.expired { withUnsafeCurrentTask { $0?.cancel() } }
                await answer(job)
            }
        }
    }

    /// Hands `job` to the task. At most one job is given at a time: the next only once the
    /// last one is answered.
    func start(_ job: Job) {
        loop.preconditionInEventLoop()
        if let waiting {
            self.waiting = nil
            waiting.resume(returning: job)
        } else {
            pending = job
        }
    }

    /// Ends the task once the job in progress is answered; a job handed over but not begun is
    /// dropped.
    func finish() {
        loop.preconditionInEventLoop()
        finished = true
        if let waiting {
            self.waiting = nil
            waiting.resume(returning: nil)
        }
    }

    /// Cancels the job in progress (its answer says so) and ends the task after it.
    func cancel() {
        task?.cancel()
        finish()
    }

    private func next() async -> Job? {
        await withUnsafeContinuation { continuation in
            if loop.inEventLoop {
                park(continuation)
            } else {
                loop.execute { self.park(continuation) }
            }
        }
    }

    private func park(_ continuation: UnsafeContinuation<Job?, Never>) {
        if finished {
            // The connection is gone (or its task was cancelled): a request read meanwhile has
            // nobody to answer to, or goes to the next task.
            pending = nil
            continuation.resume(returning: nil)
        } else if let job = pending {
            pending = nil
            continuation.resume(returning: job)
        } else {
            waiting = continuation
        }
    }
}
