import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// `healthcheck [--url URL]`: GET a plain-HTTP health URL and exit 0 on status 200, 1
/// otherwise. For container HEALTHCHECKs in an image that has no shell and no curl.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when a running proxy answers 200 at its /healthz, 1 otherwise.",
        discussion: "For a container HEALTHCHECK in an image without a shell or curl. Plain http:// only."
    )

    @Option(name: .long, help: "The URL to GET (http://HOST:PORT/PATH).")
    var url = "http://127.0.0.1:8080/healthz"

    @Option(name: .long, help: "Seconds to wait for connecting and for each read or write.")
    var timeout = 3

    func validate() throws {
        guard let parsed = URL(string: url), parsed.scheme == "http", parsed.host?.isEmpty == false, parsed.port != nil else {
            throw ValidationError("--url \(url): expected http://HOST:PORT/PATH")
        }
        guard (1...60).contains(timeout) else {
            throw ValidationError("--timeout: expected 1 to 60 seconds")
        }
    }

    func run() async throws {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(Int64(timeout)), read: .seconds(Int64(timeout))))
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let outcome: Result<HTTPResponseStatus, any Error>
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(Int64(timeout) * 2))
            outcome = .success(response.status)
        } catch {
            outcome = .failure(error)
        }
        try await client.shutdown()
        switch outcome {
        case .success(let status) where status == .ok:
            print("healthy: \(url): \(status.code) \(status.reasonPhrase)")
        case .success(let status):
            StandardError.print("unhealthy: \(url): \(status.code) \(status.reasonPhrase)")
            throw ExitCode(1)
        case .failure(let error):
            StandardError.print("unhealthy: \(url): \(Self.describe(error))")
            throw ExitCode(1)
        }
    }

    /// Why there was no answer, in a few words.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError where error == .connectTimeout: "cannot connect: timed out"
        case let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout: "no answer in time"
        case let error as HTTPClientError: error.shortDescription
        case let error as NIOConnectionError: "cannot connect: \(error.connectionErrors.first.map { "\($0.error)" } ?? "\(error)")"
        case let error as IOError: "cannot connect: \(error)"
        default: "\(error)"
        }
    }
}
