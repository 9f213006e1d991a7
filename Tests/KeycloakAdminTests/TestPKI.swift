import Crypto
import Foundation
import SwiftASN1
import X509

/// A throw-away CA with a server certificate for 127.0.0.1 and a client certificate, written as
/// PEM files to a temporary directory.
struct TestPKI {
    let directory: URL
    var caFile: String { directory.appendingPathComponent("ca.pem").path }
    var serverCertFile: String { directory.appendingPathComponent("server.pem").path }
    var serverKeyFile: String { directory.appendingPathComponent("server-key.pem").path }
    var clientCertFile: String { directory.appendingPathComponent("client.pem").path }
    var clientKeyFile: String { directory.appendingPathComponent("client-key.pem").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("kc-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("keycloak-mcp-proxy test CA") }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 3600, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        try Self.write(ca.serializeAsPEM().pemString, to: caFile)

        func leaf(_ name: String, usage: ExtendedKeyUsage.Usage, certFile: String, keyFile: String) throws {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
                notValidBefore: now - 3600, notValidAfter: now + 3600, issuer: caName,
                subject: try DistinguishedName { CommonName(name) },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage])
                    SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .dnsName("localhost")])
                },
                issuerPrivateKey: .init(caKey))
            try Self.write(certificate.serializeAsPEM().pemString, to: certFile)
            try Self.write(key.pemRepresentation, to: keyFile)
        }
        try leaf("127.0.0.1", usage: .serverAuth, certFile: serverCertFile, keyFile: serverKeyFile)
        try leaf("keycloak-mcp-proxy", usage: .clientAuth, certFile: clientCertFile, keyFile: clientKeyFile)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    private static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
