public import Logging
import ServiceLifecycle

extension KeycloakEmulator {
    /// Starts an emulator, runs `body` with it once it listens, then stops it (graceful shutdown,
    /// cancelled after `stopTimeout`), also when `body` throws.
    ///
    /// ```swift
    /// try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { emulator in
    ///     emulator.addRealm(EmulatedRealm(name: "customers"))
    ///     let url = emulator.url   // http://127.0.0.1:PORT
    /// }
    /// ```
    public static func withRunning<T>(
        _ configuration: EmulatorConfiguration = .init(),
        logger: Logger? = nil,
        stopTimeout: Duration = .seconds(5),
        _ body: (KeycloakEmulator) async throws -> T
    ) async throws -> T {
        let emulator = KeycloakEmulator(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [emulator], logger: emulator.logger))
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                try await emulator.waitUntilRunning()
                result = .success(try await body(emulator))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            tasks.addTask { try? await Task.sleep(for: stopTimeout) }
            _ = try? await tasks.next()
            tasks.cancelAll()
            while (try? await tasks.next()) != nil {}
            return try result.get()
        }
    }
}
