/// A realm name, or a glob over realm names where `*` matches any run of characters and `?`
/// matches one character.
public struct RealmPattern: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let scalars: [Unicode.Scalar]

    public init(_ text: String) {
        self.text = text
        self.scalars = Array(text.unicodeScalars)
    }

    public var description: String { text }

    /// True when the pattern has no `*` or `?`: it names one realm.
    public var isLiteral: Bool { !scalars.contains("*") && !scalars.contains("?") }

    /// True when the pattern matches every realm name.
    public var matchesEverything: Bool { !scalars.isEmpty && scalars.allSatisfy { $0 == "*" } }

    public func matches(_ realm: String) -> Bool {
        Self.glob(scalars, matches: realm.unicodeScalars)
    }

    /// Whether `name` matches the glob `pattern`, walking both in place (no copy of the name,
    /// as every call checks its realm).
    static func glob<Pattern: Collection<Unicode.Scalar>, Name: Collection<Unicode.Scalar>>(
        _ pattern: Pattern, matches name: Name
    ) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        // The last `*` seen, and where in the name its current match ends.
        var star: (pattern: Pattern.Index, resume: Name.Index)?
        while n != name.endIndex {
            if p != pattern.endIndex, pattern[p] == "?" || pattern[p] == name[n] {
                pattern.formIndex(after: &p)
                name.formIndex(after: &n)
            } else if p != pattern.endIndex, pattern[p] == "*" {
                star = (p, n)
                pattern.formIndex(after: &p)
            } else if let last = star {
                p = pattern.index(after: last.pattern)
                let resume = name.index(after: last.resume)
                star = (last.pattern, resume)
                n = resume
            } else {
                return false
            }
        }
        while p != pattern.endIndex, pattern[p] == "*" { pattern.formIndex(after: &p) }
        return p == pattern.endIndex
    }

    /// True when some realm name matches both patterns.
    public func overlaps(_ other: RealmPattern) -> Bool {
        let a = scalars
        let b = other.scalars
        // Walk both patterns over one unknown name: states are positions in each.
        var seen = Set<Int>()
        var queue = [0]
        func key(_ i: Int, _ j: Int) -> Int { i * (b.count + 1) + j }
        seen.insert(0)
        while let state = queue.popLast() {
            let i = state / (b.count + 1)
            let j = state % (b.count + 1)
            if i == a.count, j == b.count { return true }
            var next: [(Int, Int)] = []
            if i < a.count, a[i] == "*" { next.append((i + 1, j)) }
            if j < b.count, b[j] == "*" { next.append((i, j + 1)) }
            // Both consume one character.
            if i < a.count, j < b.count {
                let ai = a[i]
                let bj = b[j]
                let compatible = ai == "*" || ai == "?" || bj == "*" || bj == "?" || ai == bj
                if compatible {
                    next.append((ai == "*" ? i : i + 1, bj == "*" ? j : j + 1))
                }
            }
            for (ni, nj) in next where seen.insert(key(ni, nj)).inserted {
                queue.append(key(ni, nj))
            }
        }
        return false
    }
}
