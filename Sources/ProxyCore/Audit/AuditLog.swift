#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Appends audit records as JSON Lines to a file or standard error.
public final class AuditLog: Sendable {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let lock = Mutex(())

    /// Opens the destination; a file is created if needed and appended to.
    public init(_ destination: AuditDestination) throws(FileAccess.Failure) {
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
    }

    public func write(_ record: AuditRecord) {
        // Rendered before the lock is taken: rendering under it made the event loops wait for
        // each other (a buffer kept under the lock saved an allocation and cost more).
        var line: [UInt8] = []
        record.writeJSONLine(to: &line)
        line.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            var offset = 0
            while offset < line.count {
                let written = line[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Closes a file destination.
    public func close() {
        if ownsDescriptor { lock.withLock { _ in _ = Glibc.close(descriptor) } }
    }
}
