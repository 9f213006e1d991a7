extension KeycloakAdminClient {
    /// Fetches a token with the configured credentials (not from the cache) and reports the
    /// outcome. When the configured base path serves nothing but the other one (`""` or
    /// `"/auth"`) answers, it says which base path to set.
    public func probe() async -> ProbeResult {
        let configured = settings.basePath
        do {
            let fetched = try await tokenFetch.fetch(basePath: normalizedBasePath)
            return .ok(tokenLifetime: fetched.lifetime)
        } catch let error {
            guard error.upstreamStatus == 404, error.upstreamError?.hasPrefix("RESTEASY003210") == true else {
                return .failed(error)
            }
            for candidate in ["", "/auth"] where candidate != normalizedBasePath {
                do {
                    _ = try await tokenFetch.fetch(basePath: candidate)
                    return .wrongBasePath(configured: configured, detected: candidate)
                } catch let other {
                    let servedThere =
                        other.upstreamStatus != nil
                        && !(other.upstreamStatus == 404 && other.upstreamError?.hasPrefix("RESTEASY003210") == true)
                    if servedThere { return .wrongBasePath(configured: configured, detected: candidate) }
                }
            }
            return .failed(error)
        }
    }
}
