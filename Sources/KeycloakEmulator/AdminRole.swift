/// An admin permission held by a user or a client's service account.
///
/// Keycloak keeps these as client roles: a token issued by realm R needs them on R's
/// `realm-management` client; a token issued by `master` needs them on master's `R-realm`
/// client. Both name the realm acted on, so the emulator models them by that realm.
public enum AdminRole: Sendable, Hashable {
    /// `admin` in master (every role on every realm), or `realm-admin` in any other realm
    /// (every role on that realm).
    case admin
    /// `manage-users` on the realm: logout, delete sessions, logout-all; implies ``viewUsers(_:)``.
    case manageUsers(String)
    /// `view-users` on the realm: read users and their sessions; implies ``queryUsers(_:)``.
    case viewUsers(String)
    /// `query-users` on the realm: search and count users.
    case queryUsers(String)
}
