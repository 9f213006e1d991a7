/// One copy of each name, realm pattern and list of them that a config repeats, made where the
/// validated config is built.
///
/// Tenants written from one template repeat their client id, realm rules and protected users;
/// ten thousand of them then keep one copy of each instead of ten thousand. And every string the
/// config keeps is a copy made here, so nothing kept points into the parse tree's memory, which
/// is freed whole after the load (see ``HeapOfItsOwn``).
struct ConfigInterner {
    private var strings = Set<String>()
    private var patterns: [String: RealmPattern] = [:]
    private var patternLists = Set<[RealmPattern]>()
    private var stringLists = Set<[String]>()

    /// The kept copy of `text`.
    mutating func string(_ text: String) -> String {
        if let index = strings.firstIndex(of: text) { return strings[index] }
        return strings.insert(Self.copy(text)).memberAfterInsert
    }

    /// The kept pattern for `text`.
    mutating func pattern(_ text: String) -> RealmPattern {
        if let pattern = patterns[text] { return pattern }
        let pattern = RealmPattern(string(text))
        patterns[pattern.text] = pattern
        return pattern
    }

    /// The kept list equal to `list`, whose patterns come from ``pattern(_:)``.
    mutating func patterns(_ list: [RealmPattern]) -> [RealmPattern] {
        Self.kept(list, in: &patternLists)
    }

    /// The kept list equal to `list`, whose strings come from ``string(_:)``.
    mutating func strings(_ list: [String]) -> [String] {
        Self.kept(list, in: &stringLists)
    }

    /// The member of `lists` equal to `list`, which becomes one if there is none.
    private static func kept<Element: Hashable>(_ list: [Element], in lists: inout Set<[Element]>) -> [Element] {
        lists.insert(list).memberAfterInsert
    }

    /// A string with storage of its own (a short one is stored inline, with none).
    private static func copy(_ text: String) -> String {
        let count = text.utf8.count
        return String(unsafeUninitializedCapacity: count) { buffer in
            _ = buffer.initialize(fromContentsOf: text.utf8)
            return count
        }
    }
}
