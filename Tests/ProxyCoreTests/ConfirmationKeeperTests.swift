import Foundation
@testable import ProxyCore
import Testing

@Suite("Confirmation states")
struct ConfirmationKeeperTests {
    static let key = StateKey(Array("a key of at least thirty-two bytes, for states".utf8))
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let arguments: [String: JSONValue] = ["tenant": "eu", "username": "alice"]

    static func claims(id: String = "c-1", expires: Int64 = 1_800_000_300) -> ConfirmationKeeper.Claims {
        .init(
            id: id, agent: "incident-bot", tool: "logout_user", arguments: ConfirmationKeeper.digest(arguments), tenant: "eu", realm: "customers",
            userID: "eu-alice", expires: expires)
    }

    /// `keeper`'s verdict on `state` for a call with these details (by default the claims').
    static func verify(
        _ keeper: ConfirmationKeeper, _ state: String, agent: String = "incident-bot", tool: String = "logout_user",
        arguments: [String: JSONValue] = arguments, tenant: String = "eu", realm: String = "customers", now: Date = now
    ) -> Result<ConfirmationKeeper.Claims, ConfirmationKeeper.Invalid> {
        keeper.verify(state, agent: agent, tool: tool, arguments: ConfirmationKeeper.digest(arguments), tenant: tenant, realm: realm, now: now)
    }

    @Test func aStateIsGoodUntilItIsConsumedOnce() {
        let keeper = ConfirmationKeeper(key: Self.key)
        let state = keeper.issue(Self.claims())
        #expect(Self.verify(keeper, state) == .success(Self.claims()))
        #expect(Self.verify(keeper, state) == .success(Self.claims()), "verifying does not use it up")
        #expect(keeper.consume(Self.claims(), now: Self.now))
        #expect(!keeper.consume(Self.claims(), now: Self.now))
        #expect(Self.verify(keeper, state) == .failure(.used))
        // Another id is another state.
        #expect(Self.verify(keeper, keeper.issue(Self.claims(id: "c-2"))) == .success(Self.claims(id: "c-2")))
    }

    @Test func aStateForAnotherCallIsRefused() {
        let keeper = ConfirmationKeeper(key: Self.key)
        let state = keeper.issue(Self.claims())
        #expect(Self.verify(keeper, state, agent: "eu-responder") == .failure(.otherAgent))
        #expect(Self.verify(keeper, state, tool: "get_user_sessions") == .failure(.otherTool))
        #expect(Self.verify(keeper, state, arguments: ["tenant": "eu", "username": "bob"]) == .failure(.otherArguments))
        #expect(Self.verify(keeper, state, arguments: Self.arguments.merging(["dry_run": false]) { $1 }) == .failure(.otherArguments))
        #expect(Self.verify(keeper, state, tenant: "us") == .failure(.otherTenant))
        #expect(Self.verify(keeper, state, realm: "partner-acme") == .failure(.otherTenant))
        #expect(Self.verify(keeper, state) == .success(Self.claims()))
    }

    @Test func expiryIsExclusive() {
        let keeper = ConfirmationKeeper(key: Self.key)
        let state = keeper.issue(Self.claims())
        #expect(Self.verify(keeper, state, now: Date(timeIntervalSince1970: 1_800_000_300)) == .failure(.expired))
        #expect(Self.verify(keeper, state, now: Date(timeIntervalSince1970: 1_800_000_299.5)) == .success(Self.claims()))
        #expect(ConfirmationKeeper.lifetime == .seconds(300))
    }

    @Test func anotherKeyOrAChangedStateIsRefused() throws {
        let keeper = ConfirmationKeeper(key: Self.key)
        let state = keeper.issue(Self.claims())
        #expect(Self.verify(ConfirmationKeeper(key: nil), state) == .failure(.tampered))
        #expect(Self.verify(ConfirmationKeeper(key: StateKey(Array(repeating: 1, count: 32))), state) == .failure(.tampered))
        // A keeper with the same key (another replica) accepts it.
        #expect(Self.verify(ConfirmationKeeper(key: Self.key), state) == .success(Self.claims()))

        let parts = state.split(separator: ".").map(String.init)
        try #require(parts.count == 2)
        // One character of the payload or the signature changed (not the last one of either,
        // whose low bits decoding may drop).
        for (part, index) in [(0, 0), (0, parts[0].count / 2), (1, 0), (1, parts[1].count / 2)] {
            var changed = parts
            var characters = Array(changed[part])
            characters[index] = characters[index] == "A" ? "B" : "A"
            changed[part] = String(characters)
            #expect(Self.verify(keeper, changed.joined(separator: ".")) == .failure(.tampered), "part \(part) index \(index)")
        }
        for malformed in ["", "abc", parts[0], parts[0] + "." + parts[1] + ".x", parts[0] + "+." + parts[1], parts[0] + ".=" + parts[1]] {
            #expect(Self.verify(keeper, malformed) == .failure(.malformed), "\(malformed)")
        }
        let empty = Self.verify(keeper, ".")
        #expect(empty == .failure(.malformed) || empty == .failure(.tampered), "empty payload and signature: \(empty)")
        #expect(Self.verify(keeper, state) == .success(Self.claims()))
    }

    @Test func theDigestIsOfTheArgumentsWithSortedKeys() {
        let reordered = ConfirmationKeeper.digest(["username": "alice", "tenant": "eu"])
        #expect(reordered == ConfirmationKeeper.digest(Self.arguments))
        #expect(reordered.count == 64 && reordered.allSatisfy(\.isHexDigit))
        #expect(ConfirmationKeeper.digest(["tenant": "eu", "username": "Alice"]) != reordered)
    }

    @Test func retriesRacingWithOneStateConsumeItOnce() async {
        let keeper = ConfirmationKeeper(key: Self.key)
        let successes = await withTaskGroup(of: Bool.self, returning: Int.self) { group in
            for _ in 0..<16 {
                group.addTask { keeper.consume(Self.claims(), now: Self.now) }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(successes == 1)
    }
}
