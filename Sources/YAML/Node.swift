/// One node of a YAML document, with the position where it starts.
///
/// Aliases are already resolved (an alias is a copy of its anchor's node, with the anchor's
/// position); merge keys (`<<`) are already applied.
public struct Node: Sendable, Hashable {
    public enum Value: Sendable, Hashable {
        case scalar(Scalar)
        case sequence([Node])
        /// Key-value pairs in document order.
        case mapping([Pair])
    }

    public var value: Value
    public var mark: Mark

    public init(_ value: Value, mark: Mark) {
        self.value = value
        self.mark = mark
    }

    public var scalar: Scalar? {
        if case .scalar(let s) = value { return s }
        return nil
    }

    /// "a mapping", "a sequence", "null", "a string \"...\"": for error messages.
    public var kindDescription: String {
        switch value {
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        case .scalar(let s): s.isNull ? "null" : "\"\(s.displayText)\""
        }
    }
}

/// A key and its value in a mapping.
public struct Pair: Sendable, Hashable {
    public var key: Node
    public var value: Node

    public init(key: Node, value: Node) {
        self.key = key
        self.value = value
    }
}

/// A scalar as written: its text, quoting style and explicit tag (if any).
public struct Scalar: Sendable, Hashable {
    public enum Style: Sendable, Hashable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public var text: String
    public var style: Style
    /// The explicit tag, expanded (`!!str` is `tag:yaml.org,2002:str`); nil when none was written.
    public var tag: String?

    public init(_ text: String, style: Style = .plain, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// A plain `~`, `null`, `Null`, `NULL` or empty scalar, or one tagged `!!null`.
    public var isNull: Bool {
        if let tag { return tag == Scalar.nullTag }
        guard style == .plain else { return false }
        switch text {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// The text shortened for an error message.
    public var displayText: String {
        let limit = 60
        let escaped = text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        guard escaped.count > limit else { return escaped }
        return String(escaped.prefix(limit)) + "…"
    }

    public static let nullTag = "tag:yaml.org,2002:null"
    public static let stringTag = "tag:yaml.org,2002:str"
    public static let intTag = "tag:yaml.org,2002:int"
    public static let boolTag = "tag:yaml.org,2002:bool"
    public static let floatTag = "tag:yaml.org,2002:float"
}
