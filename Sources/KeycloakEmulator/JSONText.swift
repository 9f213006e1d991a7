/// Builds small JSON documents as text, so answering a request costs no encoder.
struct JSONText {
    private(set) var text = ""
    private var needsComma: [Bool] = []

    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// `{"error":"..."}` or `{"error":"...","error_description":"..."}`.
    static func error(_ error: String, description: String? = nil) -> String {
        var json = JSONText()
        json.beginObject()
        json.field("error", error)
        if let description { json.field("error_description", description) }
        json.endObject()
        return json.text
    }

    mutating func beginObject() { separate(); text += "{"; needsComma.append(false) }
    mutating func endObject() { text += "}"; needsComma.removeLast() }
    mutating func beginArray() { separate(); text += "["; needsComma.append(false) }
    mutating func endArray() { text += "]"; needsComma.removeLast() }

    /// Starts a member of the enclosing object; the next value written is its value.
    mutating func key(_ name: String) {
        separate()
        text += Self.quoted(name) + ":"
        needsComma[needsComma.count - 1] = false
    }

    mutating func value(_ string: String) { separate(); text += Self.quoted(string) }
    mutating func value(_ number: Int64) { separate(); text += String(number) }
    mutating func value(_ bool: Bool) { separate(); text += bool ? "true" : "false" }

    mutating func field(_ name: String, _ string: String) { key(name); value(string) }
    mutating func field(_ name: String, _ number: Int64) { key(name); value(number) }
    mutating func field(_ name: String, _ bool: Bool) { key(name); value(bool) }
    mutating func field(_ name: String, optional string: String?) {
        if let string { field(name, string) }
    }

    private mutating func separate() {
        guard let last = needsComma.last else { return }
        if last { text += "," }
        needsComma[needsComma.count - 1] = true
    }
}

extension JSONText {
    /// Writes an already-encoded JSON value.
    mutating func raw(_ encoded: String) {
        separate()
        text += encoded
    }
}
