import NIOCore
import Synchronization

/// Runs a task's jobs on one NIO event loop.
///
/// A request's task prefers the event loop of the connection it came on: the tenant client
/// then picks a connection of that loop too, so a call is read, sent upstream, resumed and
/// answered on one thread, with no wake-up of another thread in between (each costs tens of
/// microseconds on a small VM).
///
/// Jobs wait in a queue of the executor's own, drained by one closure made once: handing each
/// job to `EventLoop.execute` in a closure of its own cost an allocation per job, two per call.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop
    private let queue = Mutex(Queue())
    /// Runs the queued jobs; weak, so that a drain still scheduled keeps no executor alive.
    /// Set once, in `init` (it needs `self`), and never changed.
    private nonisolated(unsafe) var drain: (@Sendable () -> Void)!

    private struct Queue {
        var jobs = CircularBuffer<UnownedJob>(initialCapacity: 4)
        /// A drain is scheduled on the loop and has not taken the last job yet.
        var draining = false
    }

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        drain = { [weak self] in self?.runJobs() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let schedule = queue.withLock { queue in
            queue.jobs.append(job)
            defer { queue.draining = true }
            return !queue.draining
        }
        if schedule { eventLoop.execute(drain) }
    }

    /// Runs the jobs queued, at most `batch` at a time, so that the loop's other tasks get
    /// their turn in between.
    private func runJobs() {
        let batch = 64
        for _ in 0..<batch {
            let next = queue.withLock { queue -> UnownedJob? in
                guard let job = queue.jobs.popFirst() else {
                    queue.draining = false
                    return nil
                }
                return job
            }
            guard let next else { return }
            next.runSynchronously(on: asUnownedTaskExecutor())
        }
        eventLoop.execute(drain)
    }
}
