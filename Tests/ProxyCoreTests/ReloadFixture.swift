import Foundation
import KeycloakEmulator
import Logging
import ProxyCore
import TestSupport

/// Two emulated Keycloaks, a config file naming them, and a registry, router and running
/// reloader over that file.
struct ReloadFixture {
    let eu: KeycloakEmulator
    let us: KeycloakEmulator
    let dir: TempDirectory
    /// The config file the reloader watches.
    let path: String
    let registry: TenantRegistry
    let router: ToolRouter
    let reloader: ConfigReloader
    let logs: LogCapture

    /// Replaces the config file the way an editor does: a new file renamed over the old one.
    func write(_ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func call(_ tool: String, _ arguments: [String: JSONValue]) async throws -> ToolOutcome {
        try await router.call(tool, arguments: arguments, caller: .anonymous)
    }

    /// Waits until the reloader has counted `count` successful reloads.
    func reloads(_ count: Int) async -> Bool {
        await eventually { reloader.status.succeeded >= count }
    }
}

/// Runs `body` with a ``ReloadFixture`` whose file holds `initial(euURL, usURL)`; `layout`
/// may place the file differently and return its path. Everything is stopped afterwards.
///
/// The file is not watched unless `pollInterval` says how often: a test that calls
/// `reload()` itself and counts reloads must not race the watcher noticing the same write.
func withReloader(
    initial: (String, String) -> String,
    pollInterval: Duration = .zero,
    reloadOnSIGHUP: Bool = false,
    layout: ((TempDirectory, String) throws -> String)? = nil,
    _ body: (ReloadFixture) async throws -> Void
) async throws {
    try await withTwoEmulators { eu, us in
        let dir = try TempDirectory()
        defer { dir.remove() }
        let text = initial(eu.url, us.url)
        let path = try layout?(dir, text) ?? dir.write("config.yaml", text)
        let loader = ConfigLoader(environment: testEnvironment)
        let config = try loader.load(path: path).config
        let registry = try TenantRegistry(config: config, logger: quietLogger)
        let logs = LogCapture()
        let reloader = ConfigReloader(
            path: path, loader: loader, registry: registry, pollInterval: pollInterval, reloadOnSIGHUP: reloadOnSIGHUP,
            logger: logs.logger)
        let fixture = ReloadFixture(
            eu: eu, us: us, dir: dir, path: path, registry: registry,
            router: ToolRouter(registry: registry, audit: nil, logger: quietLogger), reloader: reloader, logs: logs)
        let result: Result<Void, any Error> = await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await reloader.run() }
            defer { group.cancelAll() }
            do {
                try await body(fixture)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        await registry.shutdown()
        try result.get()
    }
}
