import KeycloakAdmin
public import Logging
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// Reloads the config file into a ``TenantRegistry`` on SIGHUP and when the file changes.
///
/// A `Service`: run it in the server's `ServiceGroup` next to the registry. It
/// - traps SIGHUP (when `reloadOnSIGHUP`; leave SIGHUP out of the group's own signals), and
/// - looks at the file every `pollInterval` (1 s by default): the path with its symlinks
///   resolved, plus the target's inode, size and mtime (``FileFingerprint``), so a Kubernetes
///   ConfigMap update (an atomic swap of the `..data` symlink, mtime possibly unchanged) and an
///   edit in place are both noticed without inotify.
///
/// A reload reads and validates the whole file with the ``ConfigLoader``. If anything is
/// wrong, the old config keeps serving and every problem is logged with its position
/// (`config.yaml:14:7: tenants.eu.timeouts.request: …`); otherwise ``TenantRegistry/apply(_:)``
/// swaps it in. Reloads run one at a time; ``status`` counts them.
public final class ConfigReloader: Service, Sendable {
    /// The config file, as given (not resolved: a symlink is followed anew each time).
    public let path: String
    private let loader: ConfigLoader
    private let registry: TenantRegistry
    private let pollInterval: Duration
    private let reloadOnSIGHUP: Bool
    private let logger: Logger
    /// The `server` section as served since the start: what a reload cannot change.
    private let startServer: ServerConfig
    /// The exporter is made at start: a changed `telemetry` section waits for a restart.
    private let startTelemetry: TelemetrySettings?

    private struct State {
        var fingerprint: FileFingerprint
        var status = ReloadStatus()
        var listening = false
    }

    private let state: Mutex<State>
    /// Held for a whole reload, so two never interleave (nothing in a reload suspends).
    private let serial = Mutex(())

    /// - Parameters:
    ///   - path: the config file the registry's current config was loaded from.
    ///   - loader: reads the file; its environment is what `${NAME}` sees on every reload.
    ///   - pollInterval: how often the file is examined; `.zero` turns watching off.
    ///   - reloadOnSIGHUP: whether ``run()`` traps SIGHUP. Without it, call ``reload(_:)``.
    public init(
        path: String, loader: ConfigLoader, registry: TenantRegistry, pollInterval: Duration = .seconds(1),
        reloadOnSIGHUP: Bool = true, logger: Logger
    ) {
        self.path = path
        self.loader = loader
        self.registry = registry
        self.pollInterval = pollInterval
        self.reloadOnSIGHUP = reloadOnSIGHUP
        self.logger = logger
        self.startServer = registry.current.config.server
        self.startTelemetry = registry.current.config.telemetry
        // The file as it is now is what the registry serves: only a later change reloads.
        self.state = Mutex(State(fingerprint: FileFingerprint(path: path)))
    }

    /// Counts and the last result of the reloads so far.
    public var status: ReloadStatus {
        state.withLock { $0.status }
    }

    /// Whether ``run()`` has trapped SIGHUP (a SIGHUP sent before that would end the process).
    public var isListeningForSIGHUP: Bool {
        state.withLock { $0.listening }
    }

    /// Traps SIGHUP and watches the file until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await withTaskGroup(of: Void.self) { group in
                if reloadOnSIGHUP {
                    group.addTask { await self.listenForSIGHUP() }
                }
                if pollInterval > .zero {
                    group.addTask { await self.watch() }
                }
                await group.waitForAll()
            }
        }
    }

    /// Reads, validates and applies the config file now. On any problem the old config keeps
    /// serving and each problem is logged. Returns whether the new config is being served.
    @discardableResult
    public func reload(_ trigger: ReloadTrigger = .request) -> Bool {
        defer { FreedMemory.returnToSystem() }
        return serial.withLock { _ in
            // Taken before reading, so a change made while reading is noticed by the next look.
            let fingerprint = FileFingerprint(path: path)
            state.withLock { $0.fingerprint = fingerprint }
            let loaded: ConfigLoader.Loaded
            do throws(ConfigErrors) {
                loaded = try loader.load(path: path)
            } catch {
                return failed(error.errors.map(\.description), trigger: trigger)
            }
            for warning in loaded.warnings {
                logger.warning("\(warning.description)", metadata: ["trigger": "\(trigger.rawValue)"])
            }
            let changes: TenantRegistry.Changes
            do throws(KeycloakError) {
                changes = try registry.apply(loaded.config)
            } catch {
                return failed(["\(path): \(error.description)"], trigger: trigger)
            }
            state.withLock { state in
                state.status.succeeded += 1
                state.status.lastSucceeded = true
                state.status.lastErrors = []
                state.status.lastChanges = changes
            }
            registry.metrics.reload(succeeded: true)
            var startOnly = startServer.startOnlyKeys(changedIn: loaded.config.server)
            if startTelemetry != loaded.config.telemetry { startOnly.append("telemetry") }
            if !startOnly.isEmpty {
                logger.warning(
                    "\(startOnly.joined(separator: ", ")) differ from what was read at start: kept as they were until a restart",
                    metadata: ["trigger": "\(trigger.rawValue)", "path": "\(path)"])
            }
            logger.info(
                "config reloaded", metadata: ["trigger": "\(trigger.rawValue)", "path": "\(path)", "tenants": "\(changes)"])
            return true
        }
    }

    private func failed(_ errors: [String], trigger: ReloadTrigger) -> Bool {
        for error in errors {
            logger.error("\(error)", metadata: ["trigger": "\(trigger.rawValue)"])
        }
        logger.error(
            "config reload failed with \(errors.count) error\(errors.count == 1 ? "" : "s"); still serving the previous config",
            metadata: ["trigger": "\(trigger.rawValue)", "path": "\(path)"])
        state.withLock { state in
            state.status.failed += 1
            state.status.lastSucceeded = false
            state.status.lastErrors = errors
        }
        registry.metrics.reload(succeeded: false)
        return false
    }

    private func watch() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: pollInterval)
            } catch {
                return
            }
            let now = FileFingerprint(path: path)
            let changed = state.withLock { $0.fingerprint != now }
            if changed { reload(.fileChange) }
        }
    }

    private func listenForSIGHUP() async {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        state.withLock { $0.listening = true }
        for await _ in signals {
            reload(.signal)
        }
    }
}
