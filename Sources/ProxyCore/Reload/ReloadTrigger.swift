/// Why a reload ran, for its log lines.
public enum ReloadTrigger: String, Sendable, Hashable {
    /// SIGHUP.
    case signal = "SIGHUP"
    /// The config file (or what its path resolves to) changed.
    case fileChange = "file change"
    /// A direct call to ``ConfigReloader/reload(_:)``.
    case request
}
