#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public import Logging
import Synchronization

/// Ids that tie a call's audit record and log lines together.
public enum RequestID {
    /// The id of the tool call this task serves, if any.
    @TaskLocal public static var current: String?
    /// The trace of the tool call this task serves, when tracing is on.
    @TaskLocal public static var traceID: String?

    /// Adds `request_id` (and `trace_id` when tracing is on) to every log line written while a
    /// call runs, by any module. Pass it to `LoggingSystem.bootstrap(_:metadataProvider:)`.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let current else { return [:] }
        guard let traceID else { return ["request_id": .string(current)] }
        return ["request_id": .string(current), "trace_id": .string(traceID)]
    }

    /// 16 hex digits, never the same twice in a process: a counter mixed with a random key
    /// drawn once (SplitMix64's finalizer is a bijection, so distinct counters give distinct
    /// ids). Drawing from the system generator every call cost a `getrandom` system call per
    /// tool call. Not a secret: the mix can be undone, so one id tells the next; use
    /// ``RandomHex`` for anything that must not be guessed.
    public static func make() -> String {
        let value = mix(counter.add(1, ordering: .relaxed).newValue &+ key)
        return String(unsafeUninitializedCapacity: 16) { digits in
            for index in 0..<16 {
                let nibble = UInt8((value >> UInt64(60 - 4 * index)) & 0xF)
                digits[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 16
        }
    }

    private static let key: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Seconds since 1970, UTC.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
