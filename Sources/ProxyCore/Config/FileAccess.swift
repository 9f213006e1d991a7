#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads files for the config loader, with the system's own reason when it cannot.
public struct FileAccess: Sendable {
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }

    /// Reads a whole file of at most `limit` bytes.
    public var read: @Sendable (_ path: String, _ limit: Int) throws(Failure) -> [UInt8]

    public init(read: @escaping @Sendable (_ path: String, _ limit: Int) throws(Failure) -> [UInt8]) {
        self.read = read
    }

    /// The local file system.
    public static let disk = FileAccess { (path, limit) throws(Failure) in
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw Failure(reason: "it is a directory") }
        if Int(info.st_size) > limit {
            throw Failure(reason: "it is \(Self.size(Int(info.st_size))), over the limit of \(Self.size(limit))")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw Failure(reason: "it is over the limit of \(Self.size(limit))") }
        }
        return bytes
    }

    /// Whether a directory exists at a path.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func size(_ bytes: Int) -> String {
        let tenths = (bytes * 10) >> 20
        return bytes >= 1 << 20 ? "\(tenths / 10).\(tenths % 10) MiB" : "\(bytes) bytes"
    }
}

/// `read(2)`, named apart from ``FileAccess/read``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
