import Foundation
import TestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `keycloak-mcp-proxy serve` as a child process on 127.0.0.1 with a port the kernel picks;
/// its standard error is collected on a thread of its own. Killed by ``stop()`` at the latest.
// Process is thread-safe for the calls made here; the collected output is behind a Mutex.
final class ServedProxy: @unchecked Sendable {
    private let process: Process
    private let errors = Mutex<[UInt8]>([])

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(config: String, environment: [String: String]) throws {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("keycloak-mcp-proxy")
        process.arguments = ["serve", "--config", config, "--listen", "127.0.0.1:0"]
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let stderr = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        self.process = process
        try process.run()
        Loopback.drain(stderr) { [self] data in self.errors.withLock { $0 += data } }
    }

    var standardError: String {
        errors.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// The port from the `listening address=127.0.0.1:PORT` log line.
    func port(within timeout: Duration = .seconds(20)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let match = standardError.firstMatch(of: /address=127\.0\.0\.1:(\d+)/), let port = Int(match.1) {
                return port
            }
            if !process.isRunning { throw Failure(description: "serve exited with \(process.terminationStatus): \(standardError)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Failure(description: "serve did not listen within \(timeout): \(standardError)")
    }

    /// Sends SIGTERM and waits for the exit status; nil if it still runs after `timeout`.
    func terminate(within timeout: Duration) async throws -> Int32? {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process if it still runs.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
