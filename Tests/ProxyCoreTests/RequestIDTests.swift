import ProxyCore
import Testing

@Suite("Request ids")
struct RequestIDTests {
    @Test func idsAreSixteenHexDigitsAndNeverRepeatAcrossTasks() async {
        let perTask = 25_000
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask { (0..<perTask).map { _ in RequestID.make() } }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 4 * perTask)
        #expect(ids.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() })
        // Consecutive ids share no visible structure: about half their bits differ.
        let first = UInt64(ids[0], radix: 16)!
        let second = UInt64(ids[1], radix: 16)!
        #expect((first ^ second).nonzeroBitCount > 8)
    }
}
