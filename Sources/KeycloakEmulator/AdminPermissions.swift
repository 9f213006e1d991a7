/// What a token may do on one realm, from the roles it was issued with.
struct AdminPermissions: Sendable {
    var manage: Bool
    var view: Bool
    var query: Bool

    /// `tokenRealm` issued the token; `target` is the realm acted on.
    init(roles: Set<AdminRole>, tokenRealm: String, target: String) {
        guard tokenRealm == "master" || tokenRealm == target else {
            self.init(manage: false, view: false, query: false)
            return
        }
        if roles.contains(.admin) {
            self.init(manage: true, view: true, query: true)
            return
        }
        let manage = roles.contains(.manageUsers(target))
        let view = manage || roles.contains(.viewUsers(target))
        let query = view || roles.contains(.queryUsers(target))
        self.init(manage: manage, view: view, query: query)
    }

    private init(manage: Bool, view: Bool, query: Bool) {
        self.manage = manage
        self.view = view
        self.query = query
    }
}
