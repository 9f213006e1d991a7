import Foundation

/// What a finished process printed and how it ended.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The directory holding the built products (beside the test bundle).
let productsDirectory: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    // On Linux the test runner is `.build/debug/<package>PackageTests.xctest`.
    if url.pathExtension == "xctest" { url.deleteLastPathComponent() }
    return url
}()

/// Runs a built product with arguments and environment, and `input` on its standard input
/// (then closed; none: no input at all); kills it after `timeout`.
func runProduct(
    _ name: String,
    _ arguments: [String],
    input: Data? = nil,
    environment: [String: String] = [:],
    timeout: Duration = .seconds(30)
) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent(name)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    let exited = AsyncStream<Int32> { continuation in
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
    }
    try process.run()
    let watchdog = Task {
        try await Task.sleep(for: timeout)
        if process.isRunning { process.terminate() }
    }
    if let input {
        let writer = stdin.fileHandleForWriting
        DispatchQueue.global().async {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
    }
    // Blocking reads and writes run on Dispatch threads: Swift's cooperative pool (two threads on two
    // cores) must stay free for servers the test runs in-process.
    async let stdout = readToEnd(out.fileHandleForReading)
    async let stderr = readToEnd(err.fileHandleForReading)
    var status: Int32 = -1
    for await code in exited { status = code }
    let (o, e) = await (stdout, stderr)
    watchdog.cancel()
    return ProcessResult(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

private func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}

/// The package root, found from this file.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()

/// Runs `body` with a new temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let dir = NSTemporaryDirectory() + "kmp-cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    return try await body(dir)
}
