import Foundation

/// Runs the parse of a config on a thread of its own and waits for it.
///
/// glibc's allocator gives each new thread an arena of its own (and a later such thread the
/// arena a finished one left). Everything parsing allocates (the file's node tree, the decoded
/// sections with their positions) is freed when loading ends; made on this thread, it fills that
/// arena only, which ``FreedMemory/returnToSystem()`` can then hand back whole. Made on the
/// loading thread, it would leave small holes between what the load keeps (the validated config,
/// the tenants' runtimes), pages that stay resident for the life of the process.
enum HeapOfItsOwn {
    /// Runs `body` on a new thread and returns what it returned. The calling thread waits; it
    /// would have spent that time parsing.
    static func run<T>(_ body: @escaping () -> T) -> T {
        let handOver = HandOver(body)
        let thread = Thread {
            handOver.result = handOver.body()
            handOver.done.signal()
        }
        // As deep as a process's main thread may recurse: nesting in a file is bounded by the
        // parser, not by this thread.
        thread.stackSize = 8 << 20
        thread.start()
        handOver.done.wait()
        return handOver.result!
    }

    /// The work and its result, passed to the thread and back. The result is written before the
    /// semaphore is signalled and read after the wait, which orders the two.
    private final class HandOver<T>: @unchecked Sendable {
        let body: () -> T
        var result: T?
        let done = DispatchSemaphore(value: 0)

        init(_ body: @escaping () -> T) {
            self.body = body
        }
    }
}
