#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public import Logging

/// Ids that tie a call's audit record and log lines together.
public enum RequestID {
    /// The id of the tool call this task serves, if any.
    @TaskLocal public static var current: String?

    /// Adds `request_id` to every log line written while a call runs, by any module.
    /// Pass it to `LoggingSystem.bootstrap(_:metadataProvider:)`.
    public static let metadataProvider = Logger.MetadataProvider {
        current.map { ["request_id": .string($0)] } ?? [:]
    }

    /// 16 random hex digits.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Seconds since 1970, UTC.
    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
