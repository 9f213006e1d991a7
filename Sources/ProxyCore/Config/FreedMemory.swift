#if canImport(Glibc)
import Glibc
#endif

/// Memory that loading a config used and freed.
public enum FreedMemory {
    /// Hands the heap that a config load freed back to the system (glibc's `malloc_trim`), so a
    /// large config's parse tree does not stay in the process's resident memory while it idles.
    /// Does nothing where the C library has no such call.
    public static func returnToSystem() {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: looked up by name once.
        _ = trim?(0)
        #endif
    }

    #if canImport(Glibc)
    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let trim: MallocTrim? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
    }()
    #endif
}
