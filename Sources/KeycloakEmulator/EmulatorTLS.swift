import Foundation
import NIOCore
public import NIOSSL

/// The emulator's HTTPS identity and, for mutual TLS, the CAs its clients' certificates must
/// chain to.
public struct EmulatorTLS: Sendable {
    public var certificateChain: [NIOSSLCertificate]
    public var privateKey: NIOSSLPrivateKey
    /// When set, a client must present a certificate issued by one of these (mutual TLS).
    public var clientCertificateTrustRoots: [NIOSSLCertificate]?

    public init(
        certificateChain: [NIOSSLCertificate],
        privateKey: NIOSSLPrivateKey,
        clientCertificateTrustRoots: [NIOSSLCertificate]? = nil
    ) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.clientCertificateTrustRoots = clientCertificateTrustRoots
    }

    /// From PEM text held in memory.
    public init(certificatePEM: String, privateKeyPEM: String, clientCAPEM: String? = nil) throws {
        try self.init(
            certificateChain: NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)),
            privateKey: NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem),
            clientCertificateTrustRoots: clientCAPEM.map { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) }
        )
    }

    /// From PEM files.
    public init(certificateFile: String, privateKeyFile: String, clientCAFile: String? = nil) throws {
        try self.init(
            certificateChain: NIOSSLCertificate.fromPEMFile(certificateFile),
            privateKey: NIOSSLPrivateKey(file: privateKeyFile, format: .pem),
            clientCertificateTrustRoots: clientCAFile.map { try NIOSSLCertificate.fromPEMFile($0) }
        )
    }

    var serverConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) },
            privateKey: .privateKey(privateKey)
        )
        // Do not hold a closing connection (and so a graceful shutdown) for NIOSSL's default 5 s
        // while waiting for the peer's close_notify.
        configuration.shutdownTimeout = .milliseconds(250)
        if let roots = clientCertificateTrustRoots {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(roots)
        }
        return configuration
    }
}
