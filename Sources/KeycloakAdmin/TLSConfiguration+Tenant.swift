import NIOCore
import NIOSSL

extension TLSConfiguration {
    /// A tenant's TLS: `tls.caFile` is the only trust root when set; `certFile` and `keyFile`
    /// are the client identity for mutual TLS.
    static func tenant(_ tls: TLSSettings) throws(KeycloakError) -> TLSConfiguration {
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
