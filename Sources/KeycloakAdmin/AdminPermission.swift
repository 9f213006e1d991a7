/// The realm-management role an admin call needs, for the hint of a 403.
enum AdminPermission: String, Sendable {
    case manageUsers = "manage-users"
    case viewUsers = "view-users"
}
