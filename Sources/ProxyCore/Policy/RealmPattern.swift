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
        let name = Array(realm.unicodeScalars)
        var p = 0
        var n = 0
        var star: Int?
        var resume = 0
        while n < name.count {
            if p < scalars.count, scalars[p] == "?" || scalars[p] == name[n] {
                p += 1
                n += 1
            } else if p < scalars.count, scalars[p] == "*" {
                star = p
                resume = n
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                n = resume
            } else {
                return false
            }
        }
        while p < scalars.count, scalars[p] == "*" { p += 1 }
        return p == scalars.count
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
