import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a tenant's Keycloak listens: from its `url` (scheme, host, optional port, no path).
struct UpstreamEndpoint: Sendable, Hashable {
    var isTLS: Bool
    /// Host name or IP address, without IPv6 brackets: what to connect to.
    var host: String
    var port: Int
    /// The `Host` header: the host as the URL spells it, with the port unless it is the scheme's.
    var hostHeader: String
    /// The name sent in TLS SNI and checked against the certificate: the host unless it is an IP
    /// address (then the certificate is checked against the address).
    var serverName: String? {
        isIPAddress ? nil : host
    }

    /// Nil when `parsed` is not `http(s)://host[:port]` with an optional trailing `/`.
    init?(_ parsed: URL) {
        guard let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = parsed.host, !host.isEmpty,
            parsed.path.isEmpty || parsed.path == "/", parsed.query == nil, parsed.user == nil
        else { return nil }
        isTLS = scheme == "https"
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.host = bare
        let defaultPort = isTLS ? 443 : 80
        self.port = parsed.port ?? defaultPort
        let spelled = bare.contains(":") ? "[" + bare + "]" : bare
        hostHeader = self.port == defaultPort ? spelled : spelled + ":" + String(self.port)
    }

    private var isIPAddress: Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
