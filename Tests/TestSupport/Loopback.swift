public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the test targets share for talking to a server under test on 127.0.0.1.
public enum Loopback {
    /// Why a socket could not be opened or connected: the call and its `errno`.
    public struct Failure: Error, CustomStringConvertible {
        public var call: String
        public var errno: Int32
        public var description: String { "\(call): \(String(cString: strerror(errno))) (errno \(errno))" }
    }

    /// A TCP socket connected to 127.0.0.1:`port` (blocking), after `configure` set its options.
    public static func connect(port: Int, configure: (Int32) -> Void = { _ in }) throws(Failure) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(call: "socket", errno: errno) }
        configure(descriptor)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let error = errno
            close(descriptor)
            throw Failure(call: "connect to 127.0.0.1:\(port)", errno: error)
        }
        return descriptor
    }

    /// Reads `pipe` on a thread of its own until its end, handing each chunk to `append`
    /// (a child process's standard error, say, which must be drained so the child never blocks).
    public static func drain(_ pipe: Pipe, into append: @escaping @Sendable (Data) -> Void) {
        Thread.detachNewThread {
            let handle = pipe.fileHandleForReading
            while true {
                let data = handle.availableData
                if data.isEmpty { return }
                append(data)
            }
        }
    }
}
