import Foundation

/// Runs a built product with `input` on its standard input (then closed); kills it after
/// `timeout`. Writing and reading happen on Dispatch threads, never on the cooperative pool.
func runProduct(
    _ name: String,
    _ arguments: [String],
    input: Data,
    environment: [String: String] = [:],
    timeout: Duration = .seconds(30)
) async throws -> ProcessResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent(name)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
    let stdin = Pipe()
    let out = Pipe()
    let err = Pipe()
    process.standardInput = stdin
    process.standardOutput = out
    process.standardError = err
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
    let writer = stdin.fileHandleForWriting
    DispatchQueue.global().async {
        try? writer.write(contentsOf: input)
        try? writer.close()
    }
    async let stdout = readAll(out.fileHandleForReading)
    async let stderr = readAll(err.fileHandleForReading)
    var status: Int32 = -1
    for await code in exited { status = code }
    let (o, e) = await (stdout, stderr)
    watchdog.cancel()
    return ProcessResult(status: status, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

private func readAll(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}
