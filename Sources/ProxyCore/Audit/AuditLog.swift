#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// Appends audit records as JSON Lines to a file or standard error, off the request path.
///
/// ``write(_:)`` encodes the record on the caller's thread and appends the line to a bounded
/// buffer; nothing there waits for the disk, nor for a lock held across `write(2)`. One writer
/// (``run()``, a `Service`) writes what has gathered on SwiftNIO's blocking-I/O thread pool, never
/// on a Swift concurrency thread, at most once every ``gatheringInterval``: a record reaches the file
/// within that interval of its call, and a busy proxy makes one write and one thread hand-off per interval,
/// not per call. It writes to a file in one system call where it fits, to standard error
/// one line per call (a pipe keeps a write of up to `PIPE_BUF` bytes whole, so a log line never
/// lands inside a record); it writes the rest on graceful shutdown. A record that finds the
/// buffer full, that the file refused, or that came after ``close()`` is counted in `/metrics`
/// (`keycloak_mcp_proxy_audit_records_lost_total`) and logged: never dropped silently.
public final class AuditLog: Service, Sendable {
    /// How many records may wait for the writer.
    public static let defaultCapacity = 65_536
    /// How long the writer lets records gather after the first one before it writes them.
    public static let gatheringInterval = Duration.milliseconds(10)

    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let capacity: Int
    private let metrics: ProxyMetrics
    private let logger: Logger
    private let pending = Mutex(Pending())
    /// Held by whoever writes to the file: the writer, or ``flush()``. Never by ``write(_:)``.
    private let output = Mutex(Output())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    private struct Pending {
        var lines: [[UInt8]] = []
        var refused = 0
    }

    private struct Output {
        var closed = false
        var failing = false
        /// A write failed part-way through a line: the next write starts on a new line.
        var brokenLine = false
    }

    /// Opens the destination; a file is created if needed and appended to.
    public init(
        _ destination: AuditDestination, capacity: Int = AuditLog.defaultCapacity, metrics: ProxyMetrics = .system,
        logger: Logger = Logger(label: "keycloak-mcp-proxy.audit")
    ) throws(FileAccess.Failure) {
        switch destination {
        case .standardError:
            descriptor = 2
            ownsDescriptor = false
        case .file(let path):
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard fd >= 0 else { throw FileAccess.Failure(reason: "cannot open audit log \"\(path)\": \(String(cString: strerror(errno)))") }
            descriptor = fd
            ownsDescriptor = true
        }
        self.capacity = capacity
        self.metrics = metrics
        self.logger = logger
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues `record` for the writer; returns at once.
    public func write(_ record: AuditRecord) {
        var line = Array(JSONCoding.encode(record))
        line.append(UInt8(ascii: "\n"))
        let (queued, firstRefusal) = pending.withLock { pending -> (Bool, Bool) in
            guard pending.lines.count < capacity else {
                pending.refused += 1
                return (false, pending.refused == 1)
            }
            pending.lines.append(line)
            return (true, false)
        }
        if queued {
            ring.yield()
        } else {
            metrics.auditRecordLost(reason: "buffer_full")
            if firstRefusal {
                logger.error(
                    "audit records are arriving faster than the audit log can be written; records are being lost",
                    metadata: ["capacity": "\(capacity)"])
            }
        }
    }

    /// Writes records as they come until graceful shutdown or cancellation, then writes what is
    /// left.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.doorbell {
                await Self.gather()
                await self.flushOffTheCooperativePool()
            }
        }
        await flushOffTheCooperativePool()
    }

    /// Waits ``gatheringInterval``, or until the task is cancelled (graceful shutdown), on an event
    /// loop's timer: `Task.sleep` would wake one of Dispatch's threads for every wait.
    private static func gather() async {
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(gatheringInterval)) {}
        await withTaskCancellationHandler {
            _ = try? await timer.futureResult.get()
        } onCancel: {
            timer.cancel()
        }
    }

    /// ``flush()`` on SwiftNIO's thread pool for blocking I/O: a slow disk or a stalled pipe holds
    /// one of its threads, not one of the few that run Swift tasks.
    private func flushOffTheCooperativePool() async {
        do {
            try await NIOThreadPool.singleton.runIfActive { self.flush() }
        } catch {
            flush()
        }
    }

    /// Writes every queued record now.
    public func flush() {
        output.withLock { output in
            let (lines, refused) = pending.withLock { pending in
                defer { pending.lines = []; pending.refused = 0 }
                return (pending.lines, pending.refused)
            }
            if refused > 0 {
                logger.error("audit records were lost: the buffer was full", metadata: ["lost": "\(refused)"])
            }
            guard !lines.isEmpty else { return }
            guard !output.closed else {
                for _ in lines { metrics.auditRecordLost(reason: "closed") }
                logger.error("audit records came after the audit log was closed", metadata: ["lost": "\(lines.count)"])
                return
            }
            var failed = 0
            var firstError: Int32 = 0
            // A pipe keeps a write whole only up to PIPE_BUF: standard error gets a line a call.
            let chunks = ownsDescriptor ? Self.chunks(lines) : lines.map { [$0] }
            for chunk in chunks {
                var bytes: [UInt8] = output.brokenLine ? [UInt8(ascii: "\n")] : []
                for line in chunk { bytes.append(contentsOf: line) }
                switch Self.writeAll(bytes, to: descriptor) {
                case nil:
                    output.brokenLine = false
                case let (error, written)?:
                    failed += chunk.count
                    if firstError == 0 { firstError = error }
                    if written > 0 { output.brokenLine = true }
                }
            }
            if failed > 0 {
                for _ in 0..<failed { metrics.auditRecordLost(reason: "write_failed") }
                if !output.failing {
                    logger.error(
                        "cannot write the audit log; records are being lost",
                        metadata: ["error": "\(String(cString: strerror(firstError)))", "lost": "\(failed)"])
                }
                output.failing = true
            } else if output.failing {
                logger.notice("the audit log is written again")
                output.failing = false
            }
        }
    }

    /// Writes what is queued and closes a file destination.
    public func close() {
        flush()
        ring.finish()
        output.withLock { output in
            guard !output.closed else { return }
            output.closed = true
            if ownsDescriptor { _ = Glibc.close(descriptor) }
        }
    }

    /// The lines in groups of at most 64 KiB (a longer line alone), each written with one call.
    private static func chunks(_ lines: [[UInt8]]) -> [[[UInt8]]] {
        var chunks: [[[UInt8]]] = []
        var current: [[UInt8]] = []
        var size = 0
        for line in lines {
            if size + line.count > 65_536, !current.isEmpty {
                chunks.append(current)
                current = []
                size = 0
            }
            current.append(line)
            size += line.count
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Writes `bytes` whole; nil, or the `errno` of a failure and how many bytes went before it.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> (errno: Int32, written: Int)? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return (errno, offset)
            }
            offset += written
        }
        return nil
    }
}
