public import Logging

extension KeycloakEmulator {
    /// Starts an emulator, runs `body` with it once it listens, then stops it, also when `body`
    /// throws.
    ///
    /// ```swift
    /// try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { emulator in
    ///     try emulator.addRealm(EmulatedRealm(name: "customers"))
    ///     let url = emulator.url   // http://127.0.0.1:PORT
    /// }
    /// ```
    public static func withRunning<T>(
        _ configuration: EmulatorConfiguration = .init(),
        logger: Logger? = nil,
        _ body: (KeycloakEmulator) async throws -> T
    ) async throws -> T {
        let emulator = KeycloakEmulator(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            group.addTask { try await emulator.run() }
            let result: Result<T, any Error>
            do {
                try await emulator.waitUntilRunning()
                result = .success(try await body(emulator))
            } catch {
                result = .failure(error)
            }
            group.cancelAll()
            while let _ = try? await group.next() {}
            return try result.get()
        }
    }
}
