import Foundation
import YAML

extension ConfigValidator {
    /// `server.public_url`: an absolute `https` URL (or `http` on a loopback host), no query,
    /// fragment or credentials; returned as written.
    mutating func checkedPublicURL(_ url: Located<String>) -> String? {
        guard let problem = Self.webURLProblem(url.value) else { return url.value }
        fail(url, "\(problem); expected the URL of /mcp as clients reach it, like \"https://mcp-proxy.example.com/mcp\"")
        return nil
    }

    /// `server.oauth`.
    mutating func validateOAuth(_ section: Located<OAuthSection>) -> OAuthSettings? {
        var issuers: [OAuthSettings.Issuer] = []
        if section.value.issuers.value.isEmpty {
            fail(section.value.issuers, "at least one issuer is required")
        }
        var seen = Set<String>()
        for entry in section.value.issuers.value {
            let issuer = entry.value.issuer
            if let problem = Self.webURLProblem(issuer.value) {
                fail(issuer, "\(problem); expected the issuer as its tokens' iss says, like \"https://sso.example.com/realms/agents\"")
                continue
            }
            if !seen.insert(issuer.value).inserted {
                fail(issuer, "the issuer \"\(issuer.value)\" is listed twice")
                continue
            }
            var settings = OAuthSettings.Issuer(issuer: issuer.value)
            if let jwks = entry.value.jwksURI {
                if let problem = Self.webURLProblem(jwks.value) {
                    fail(jwks, "\(problem); expected the URL of the issuer's JSON Web Key Set")
                } else {
                    settings.jwksURI = jwks.value
                }
            }
            if let caFile = entry.value.caFile, let bytes = readFile(caFile, what: "ca_file") {
                if String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") {
                    settings.caFile = resolve(caFile.value)
                } else {
                    fail(caFile, "ca_file \"\(caFile.value)\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
                }
            }
            issuers.append(settings)
        }
        var scopes: [ToolName: String] = [:]
        for entry in section.value.scopes?.value.entries ?? [] {
            guard let tool = ToolName(rawValue: entry.name.value) else {
                fail(entry.name, "unknown tool \"\(entry.name.value)\"" + suggestion(entry.name.value, among: ToolName.allCases.map(\.rawValue)))
                continue
            }
            let scope = entry.value
            guard !scope.isEmpty, scope.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }) else {
                fail(entry.name, "a scope is one word of visible ASCII characters (no spaces or quotes), found \"\(scope)\"")
                continue
            }
            scopes[tool] = scope
        }
        var settings = OAuthSettings(issuers: issuers, scopes: scopes)
        if let leeway = section.value.leeway {
            settings.leeway = checkedDuration(leeway, within: .zero...(.seconds(600)))
        }
        return settings
    }

    /// `agents.NAME.oauth`, whose issuer must be one of `server.oauth`'s.
    mutating func validateAgentOAuth(_ section: Located<AgentOAuthSection>, oauth: OAuthSettings?) -> AgentOAuthMatch? {
        let value = section.value
        guard let oauth else {
            fail(section, "an agent's oauth section needs server.oauth, which names the issuers the proxy trusts")
            return nil
        }
        let issuers = oauth.issuers.map(\.issuer)
        guard issuers.contains(value.issuer.value) else {
            fail(value.issuer, "\"\(value.issuer.value)\" is not one of server.oauth.issuers" + suggestion(value.issuer.value, among: issuers))
            return nil
        }
        var match = AgentOAuthMatch(
            issuer: kept.string(value.issuer.value), clientID: value.clientID.map { kept.string($0.value) },
            subject: value.subject.map { kept.string($0.value) }, username: value.username.map { kept.string($0.value) },
            role: value.role.map { kept.string($0.value) })
        if let clientRole = value.clientRole?.value {
            match.clientRole = .init(client: kept.string(clientRole.client.value), role: kept.string(clientRole.role.value))
        }
        for field in [value.clientID, value.subject, value.username, value.role, value.clientRole?.value.client, value.clientRole?.value.role] {
            if let field, field.value.isEmpty { fail(field, "expected a non-empty value") }
        }
        if match.clientID == nil, match.subject == nil, match.username == nil, match.role == nil, match.clientRole == nil {
            warn(section, "only the issuer is given, so every token this issuer signs for the proxy is this agent's; add client_id, subject, username, role or client_role")
        }
        return match
    }

    /// Why `text` is not an absolute http(s) URL fit for OAuth (https unless the host is
    /// loopback, or any host with `plainHTTPAnywhere`); nil when it is.
    static func webURLProblem(_ text: String, plainHTTPAnywhere: Bool = false) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(), let host = components.host,
            !host.isEmpty
        else {
            return "\"\(text)\" is not an absolute URL"
        }
        guard scheme == "https" || scheme == "http" else {
            return "the scheme must be \(plainHTTPAnywhere ? "http or https" : "https"), found \"\(scheme)\""
        }
        if components.user != nil || components.password != nil { return "the URL must not carry credentials" }
        if components.query != nil || components.fragment != nil { return "the URL must not have a query or fragment" }
        if scheme == "http", !plainHTTPAnywhere, !OAuthSettings.isLoopback(host: host) {
            return "the URL must use https (http is accepted on loopback addresses only)"
        }
        return nil
    }
}
