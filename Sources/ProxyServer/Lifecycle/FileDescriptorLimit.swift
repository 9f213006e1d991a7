#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which bounds how many
/// clients and Keycloak connections it can hold at once.
public enum FileDescriptorLimit {
    /// Raises the soft limit to the hard one, as far as the system lets; returns the soft limit
    /// in force afterwards and the hard limit (nil when they cannot be read).
    @discardableResult
    public static func raise() -> (soft: UInt64, hard: UInt64)? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// How many client connections fit in the soft limit beside the descriptors the process
    /// needs anyway: 32 for itself (event loops, files, the listener) and those of the tenants'
    /// pools (`upstream`), counted up to a quarter of the limit. Running out of descriptors is
    /// what makes a listener retry `accept` in a loop, so the connection cap keeps below it.
    public static func connectionCap(requested: Int, upstream: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < rlim_t(Int32.max) else { return requested }
        let soft = Int(clamping: limit.rlim_cur)
        let reserve = 32 + min(upstream, soft / 4)
        return max(1, min(requested, soft - reserve))
    }

    private static var resource: Int32 {
        #if canImport(Glibc)
        Int32(RLIMIT_NOFILE.rawValue)
        #else
        RLIMIT_NOFILE
        #endif
    }
}
