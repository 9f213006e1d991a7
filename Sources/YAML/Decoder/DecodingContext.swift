/// The problems found so far in one decoding run, and what `${NAME}` reads.
final class DecodingContext {
    let environment: [String: String]
    let maxErrors: Int
    let extensionKeyPrefix: String?
    private(set) var errors: [YAMLError] = []
    /// How each type decodes, found once per run: conformance checks cost more than decoding.
    /// A short list (a config has a few dozen value types): scanning it beats hashing.
    private var kinds: [(id: ObjectIdentifier, kind: TypeKind)] = []

    enum TypeKind {
        case scalar(any YAMLScalarDecodable.Type)
        case located(any LocatedDecodable.Type)
        case other
    }

    func kind<T>(of type: T.Type) -> TypeKind {
        let id = ObjectIdentifier(type)
        for entry in kinds where entry.id == id { return entry.kind }
        let kind: TypeKind
        if let scalar = type as? any YAMLScalarDecodable.Type {
            kind = .scalar(scalar)
        } else if let located = type as? any LocatedDecodable.Type {
            kind = .located(located)
        } else {
            kind = .other
        }
        kinds.append((id, kind))
        return kind
    }

    init(environment: [String: String], maxErrors: Int, extensionKeyPrefix: String? = nil) {
        self.environment = environment
        self.maxErrors = maxErrors
        self.extensionKeyPrefix = extensionKeyPrefix
    }

    /// Records a problem; stops decoding once there are too many.
    func record(_ message: String, at mark: Mark, path: [any CodingKey]) throws(DecodingAbort) {
        errors.append(YAMLError(mark: mark, path: path.map(Self.render), message: message))
        if errors.count >= maxErrors {
            errors.append(YAMLError(mark: mark, message: "too many errors; stopped after \(maxErrors)"))
            throw DecodingAbort()
        }
    }

    var sortedErrors: [YAMLError] {
        // Stable: problems at one position keep the order they were found in.
        errors.enumerated().sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }.map(\.element)
    }

    static func render(_ key: any CodingKey) -> String {
        if key is IndexKey, let index = key.intValue { return "[\(index)]" }
        return key.stringValue
    }
}

/// Decoding cannot go on (too many errors, or no placeholder for a type); the reasons are recorded.
struct DecodingAbort: Error {}

/// Thrown inside a type's `init(from:)` after the problem was recorded, so it is not recorded twice.
struct AlreadyRecorded: Error {}

/// The coding key of a sequence item.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "[\(intValue ?? 0)]" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// Any string key: for mapping keys the decoded type does not name in advance.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public let stringValue: String
    public var intValue: Int? { nil }

    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}
