import AsyncHTTPClient
import NIOCore
import NIOSSL

extension HTTPClient.Configuration {
    /// One tenant's pool, timeouts and TLS.
    ///
    /// - `pool.maxConnections` is the per-host HTTP/1 connection limit (HTTP/1 only, so the limit
    ///   means what it says); `pool.idleTimeout` closes idle connections.
    /// - `timeouts.connect` bounds connecting; a failed connect fails the waiting requests at once
    ///   instead of retrying until their deadline. `timeouts.request` is each request's deadline
    ///   (set per request). No separate read timeout: it would only repeat the deadline, at the
    ///   cost of one more timer scheduled and cancelled per request.
    /// - No tracing: the proxy sets up no tracer, and the client's span attributes cost ~3 % of
    ///   the proxy's CPU under load even with the no-op tracer.
    /// - `tls.caFile` is the only trust root when set; `certFile` and `keyFile` are the client
    ///   identity for mutual TLS.
    static func tenant(_ settings: ConnectionSettings) throws(KeycloakError) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try tlsConfiguration(settings.tls),
            redirectConfiguration: .disallow,
            timeout: .init(connect: settings.timeouts.connect.timeAmount),
            connectionPool: .init(
                idleTimeout: settings.pool.idleTimeout.timeAmount,
                concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, settings.pool.maxConnections)
            )
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        configuration.tracing.tracer = nil
        return configuration
    }

    private static func tlsConfiguration(_ tls: TLSSettings) throws(KeycloakError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            configuration.trustRoots = .certificates(try load("tls.ca_file", caFile) {
                try NIOSSLCertificate.fromPEMFile(caFile)
            })
        }
        switch (tls.certFile, tls.keyFile) {
        case (let certFile?, let keyFile?):
            configuration.certificateChain = try load("tls.cert_file", certFile) {
                try NIOSSLCertificate.fromPEMFile(certFile).map { .certificate($0) }
            }
            configuration.privateKey = try load("tls.key_file", keyFile) {
                .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            }
        case (nil, nil):
            break
        default:
            throw KeycloakError(.invalidArgument, "tls.cert_file and tls.key_file must be given together")
        }
        return configuration
    }

    private static func load<T>(_ key: String, _ path: String, _ body: () throws -> T) throws(KeycloakError) -> T {
        do {
            return try body()
        } catch {
            throw KeycloakError(.invalidArgument, "\(key) \"\(path)\" could not be loaded as PEM: \(error)")
        }
    }
}
