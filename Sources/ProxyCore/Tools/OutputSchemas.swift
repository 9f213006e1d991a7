/// The `outputSchema` of each tool: what the `structuredContent` of its successful results is
/// (JSON Schema 2020-12). A failed call's result (`isError: true`) carries `{"error": {...}}`
/// instead, which these schemas do not describe.
enum OutputSchemas {
    static let logoutUser: JSONValue = object(
        required: ["tenant", "realm", "user_id", "status", "dry_run", "message"],
        [
            "tenant": string("The tenant the call went to."),
            "realm": string("The realm the user is in."),
            "user_id": string("The user's ID."),
            "username": string("The user's username, when the call named the user by it or the proxy looked it up."),
            "status": ["type": "string", "enum": ["success", "dry_run"], "description": "success: logged out; dry_run: nothing was changed."],
            "dry_run": ["type": "boolean"],
            "sessions": ["type": "integer", "minimum": 0, "description": "On a dry run: how many online sessions the logout would end."],
            "message": string("What happened, in a sentence."),
        ])

    static let getUserSessions: JSONValue = object(
        required: ["tenant", "realm", "user_id", "count", "sessions"],
        [
            "tenant": string("The tenant the call went to."),
            "realm": string("The realm the user is in."),
            "user_id": string("The user's ID."),
            "username": string("The user's username, when the call named the user by it."),
            "count": ["type": "integer", "minimum": 0],
            "sessions": [
                "type": "array",
                "items": object(
                    required: ["id"],
                    [
                        "id": string("The session's ID."),
                        "username": ["type": "string"],
                        "user_id": ["type": "string"],
                        "ip_address": ["type": "string"],
                        "start": ["type": "string", "format": "date-time"],
                        "last_access": ["type": "string", "format": "date-time"],
                        "remember_me": ["type": "boolean"],
                        "clients": ["type": "array", "items": ["type": "string"], "description": "The clients the session used."],
                    ]),
            ],
        ])

    static let listTenants: JSONValue = object(
        required: ["tenants"],
        [
            "tenants": [
                "type": "array",
                "items": object(
                    required: ["name", "default", "realms"],
                    [
                        "name": ["type": "string"],
                        "default": ["type": "boolean", "description": "Whether calls without a tenant go to this one."],
                        "realms": ["type": "array", "items": ["type": "string"], "description": "Realm patterns this caller may use."],
                        "default_realm": ["type": "string"],
                        "denied_realms": ["type": "array", "items": ["type": "string"]],
                    ]),
            ],
            "default_tenant": string("The tenant calls without a tenant go to."),
        ])

    private static func object(required: [String], _ properties: [String: JSONValue]) -> JSONValue {
        [
            "type": "object",
            "properties": .object(properties),
            "required": .array(required.map(JSONValue.string)),
            "additionalProperties": false,
        ]
    }

    private static func string(_ description: String) -> JSONValue {
        ["type": "string", "description": .string(description)]
    }
}
