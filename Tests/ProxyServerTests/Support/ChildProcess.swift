import Foundation
import TestSupport
import Synchronization

/// The directory holding the built products (beside the test bundle).
let productsDirectory: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
    return url
}()

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A built product running as a child process, fed through its standard input and read line by
/// line from its standard output. Killed on ``stop()`` at the latest.
// Process and FileHandle are thread-safe for the calls made here; the rest is behind Mutexes.
final class ChildProcess: @unchecked Sendable {
    private let process: Process
    private let input: FileHandle
    private let output = Mutex<(lines: [String], partial: [UInt8], ended: Bool)>(([], [], false))
    private let errors = Mutex<[UInt8]>([])

    init(_ product: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent(product)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        self.process = process
        self.input = stdin.fileHandleForWriting
        try process.run()
        Thread.detachNewThread { [self] in
            let handle = stdout.fileHandleForReading
            while true {
                let data = handle.availableData
                self.output.withLock { state in
                    if data.isEmpty {
                        state.ended = true
                        return
                    }
                    for byte in data {
                        if byte == UInt8(ascii: "\n") {
                            state.lines.append(String(decoding: state.partial, as: UTF8.self))
                            state.partial = []
                        } else {
                            state.partial.append(byte)
                        }
                    }
                }
                if data.isEmpty { return }
            }
        }
        Loopback.drain(stderr) { [self] data in self.errors.withLock { $0 += data } }
    }

    /// Writes one line to the child's standard input.
    func send(_ line: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Writes `bytes` to the child's standard input as they are, with no newline.
    func write(_ bytes: Data) throws {
        try input.write(contentsOf: bytes)
    }

    /// Closes the child's standard input (end of input).
    func closeInput() throws {
        try input.close()
    }

    /// The next line of standard output.
    func nextLine(timeout: Duration = .seconds(20)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let next = output.withLock { state -> (String?, Bool) in
                if !state.lines.isEmpty { return (state.lines.removeFirst(), false) }
                return (nil, state.ended)
            }
            if let line = next.0 { return line }
            if next.1 { throw TestFailure("standard output ended; stderr: \(standardError)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no line within \(timeout); stderr: \(standardError)")
    }

    /// Waits for the child to exit by itself; nil if it is still running after `timeout`.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    var standardError: String {
        errors.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// The child's process id while it runs.
    var processIdentifier: Int32? {
        process.isRunning ? process.processIdentifier : nil
    }

    /// Sends SIGTERM, as Kubernetes or systemd would, without waiting.
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Sends a signal (e.g. SIGHUP) without waiting.
    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Sends SIGINT, as Ctrl-C would.
    func interrupt() {
        if process.isRunning { process.interrupt() }
    }

    /// Kills the child if it still runs, and waits for it.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}
