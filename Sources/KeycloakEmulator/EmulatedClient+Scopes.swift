extension EmulatedClient {
    /// `scope` of a token issued to this client: its default scopes, plus `openid` and the
    /// optional scopes `requested` names. `nil` when `requested` names a scope the client does
    /// not have (Keycloak's 400 `invalid_scope`).
    func grantedScope(requested: String?) -> String? {
        let asked = (requested ?? "").split(separator: " ").map(String.init)
        var granted = defaultScopes
        for scope in asked where !granted.contains(scope) {
            guard scope == "openid" || optionalScopes.contains(scope) else { return nil }
            if scope == "openid" { granted.insert(scope, at: 0) } else { granted.append(scope) }
        }
        return granted.joined(separator: " ")
    }
}
