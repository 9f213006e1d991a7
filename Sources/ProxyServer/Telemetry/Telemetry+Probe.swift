import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
public import ProxyCore

extension Telemetry {
    /// For `check --probe`: posts an empty OTLP/HTTP export (a valid request with no spans) to
    /// the collector of `settings`, within 5 s, as the exporter would; one line saying whether
    /// it took it.
    public static func probe(_ settings: TelemetrySettings) async -> (line: String, ok: Bool) {
        let prefix = "probe telemetry \(settings.tracesURL): "
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.tracing.tracer = nil
        if let caFile = settings.caFile {
            do {
                var tls = TLSConfiguration.makeClientConfiguration()
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                configuration.tlsConfiguration = tls
            } catch {
                return (prefix + "failed: cannot read its ca_file: \(error)", false)
            }
        }
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        var request = HTTPClientRequest(url: settings.tracesURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
        request.body = .bytes(ByteBuffer())
        let result: (line: String, ok: Bool)
        do {
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = response.status.code
            result = (200..<300).contains(status)
                ? (prefix + "ok: the collector answered \(status)", true)
                : (prefix + "failed: the collector answered \(status) \(response.status.reasonPhrase)", false)
        } catch {
            result = (prefix + "failed: \(error)", false)
        }
        try? await client.shutdown()
        return result
    }
}
