import Foundation
public import ProxyCore

/// Which `Origin` headers `/mcp` accepts (DNS rebinding protection).
///
/// A request without `Origin` comes from a non-browser client and is accepted. A browser's
/// origin is accepted when its host is the listen host (any port; on a loopback listener also
/// `localhost`, `127.0.0.1` and `[::1]`), or when it is one of `server.allowed_origins`.
public struct OriginPolicy: Sendable {
    private let hosts: Set<String>
    private let origins: Set<String>

    /// The hosts of `listen` (not a wildcard address) and the exact `allowedOrigins`.
    public init(listen: ListenAddress, allowedOrigins: [String]) {
        var hosts: Set<String> = []
        let host = listen.host.lowercased()
        if host != "0.0.0.0" && host != "::" { hosts.insert(host) }
        if listen.isLoopback { hosts.formUnion(["localhost", "127.0.0.1", "::1"]) }
        self.hosts = hosts
        self.origins = Set(allowedOrigins.map(Self.normalized))
    }

    /// Whether a request with this `Origin` header (nil: none) may be served.
    public func allows(_ origin: String?) -> Bool {
        guard let origin else { return true }
        let normalized = Self.normalized(origin)
        if origins.contains(normalized) { return true }
        guard let host = Self.host(ofOrigin: normalized) else { return false }
        return hosts.contains(host)
    }

    static func normalized(_ origin: String) -> String {
        var text = origin.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The host of `http(s)://host[:port]`, without brackets; nil for anything else.
    static func host(ofOrigin origin: String) -> String? {
        let rest: Substring
        if origin.hasPrefix("http://") {
            rest = origin.dropFirst(7)
        } else if origin.hasPrefix("https://") {
            rest = origin.dropFirst(8)
        } else {
            return nil
        }
        guard !rest.contains("/"), !rest.contains("@"), !rest.isEmpty else { return nil }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            let after = rest[rest.index(after: close)...]
            guard after.isEmpty || (after.hasPrefix(":") && after.dropFirst().allSatisfy(\.isNumber)) else { return nil }
            return String(rest[rest.index(after: rest.startIndex)..<close])
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { return nil }
        if parts.count == 2 && (parts[1].isEmpty || !parts[1].allSatisfy(\.isNumber)) { return nil }
        return String(parts[0])
    }
}
