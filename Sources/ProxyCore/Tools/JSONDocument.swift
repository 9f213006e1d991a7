/// A JSON text whose top level may be an object, as ``JSONValue/parseDocument(_:)`` gives it.
public enum JSONDocument: Sendable {
    /// A top-level object as its members in the order written, a repeated key included: a
    /// message's envelope is read by a few lookups, which need no dictionary.
    case object([(key: String, value: JSONValue)])
    /// Any other top-level value.
    case value(JSONValue)
}

extension JSONDocument {
    /// The value of the last member named `key` (a repeated key keeps its last value, as in a
    /// parsed ``JSONValue/object(_:)``); nil when there is none or this is no object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }
}
