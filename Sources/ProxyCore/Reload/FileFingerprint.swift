#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the config file is right now, to notice that it changed without reading it.
///
/// A Kubernetes ConfigMap volume mounts `config.yaml` as a symlink to `..data/config.yaml`,
/// where `..data` is itself a symlink to a timestamped directory; an update writes a new
/// directory and swaps `..data` atomically, and the file's mtime may be the old one. So the
/// fingerprint is the fully resolved path (`realpath`) plus the target's device, inode, size
/// and modification time: any swap or edit changes at least one of them.
struct FileFingerprint: Sendable, Hashable {
    /// The path with every symlink resolved; nil when it does not resolve.
    var resolvedPath: String?
    var device: UInt64 = 0
    var inode: UInt64 = 0
    var size: Int64 = 0
    var modifiedSeconds: Int64 = 0
    var modifiedNanoseconds: Int64 = 0
    /// `errno` when the file cannot be resolved or examined; 0 otherwise.
    var error: Int32 = 0

    init(path: String) {
        guard let resolved = realpath(path, nil) else {
            error = errno
            return
        }
        defer { free(resolved) }
        resolvedPath = String(cString: resolved)
        var info = stat()
        guard stat(resolved, &info) == 0 else {
            error = errno
            return
        }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
        modifiedSeconds = Int64(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }
}
