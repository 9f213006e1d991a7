/// A user as the admin API shows it (`GET …/users/{id}`, items of `GET …/users`).
struct UserRepresentation: Encodable, Sendable {
    /// What the caller may do with the user.
    struct Access: Encodable, Sendable {
        var manageGroupMembership: Bool
        var view: Bool
        var mapRoles: Bool
        var impersonate: Bool
        var manage: Bool
    }

    var id: String
    var username: String
    var firstName: String?
    var lastName: String?
    var email: String?
    var emailVerified: Bool
    var createdTimestamp: Int64
    var enabled: Bool
    /// The fields below up to `access` are left out of a brief representation.
    var totp: Bool?
    var disableableCredentialTypes: [String]?
    var requiredActions: [String]?
    var notBefore: Int64?
    var access: Access

    /// `brief` is `briefRepresentation=true`; `may` is the caller's permissions on the realm.
    init(_ record: EmulatorDirectory.UserRecord, brief: Bool, may: AdminPermissions) {
        let user = record.user
        id = user.id
        username = user.username
        firstName = user.firstName
        lastName = user.lastName
        email = user.email
        emailVerified = false
        createdTimestamp = record.createdTimestamp
        enabled = user.enabled
        if !brief {
            totp = false
            disableableCredentialTypes = []
            requiredActions = []
            notBefore = record.notBeforeEpochSeconds
        }
        access = Access(
            manageGroupMembership: may.manage, view: may.view, mapRoles: may.manage, impersonate: false,
            manage: may.manage)
    }
}
