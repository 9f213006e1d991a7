import Foundation
import Testing
import YAML

private struct Settings: Decodable, Equatable {
    enum Mode: String, Decodable, CaseIterable, YAMLScalarDecodable {
        case fast, safe
    }

    struct Pool: Decodable, Equatable {
        var maxConnections: Int
        var name: String?

        enum CodingKeys: String, CodingKey {
            case maxConnections = "max_connections"
            case name
        }
    }

    var name: String
    var enabled: Bool
    var mode: Mode
    var pool: Pool
    var tags: [String]
    var limit: Located<Int>?
}

private func decode(_ text: String, environment: [String: String] = [:]) throws(YAMLErrors) -> Settings {
    try YAMLDecoder(environment: environment).decode(Settings.self, from: Array(text.utf8))
}

/// The errors decoding `Settings` gives, as `LINE:COL: path: message`.
private func errors(_ text: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try decode(text, environment: environment)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

@Suite("YAML decoder")
struct DecoderTests {
    let valid = """
        name: edge
        enabled: true
        mode: safe
        pool: { max_connections: 8 }
        tags: [a, b]
        limit: 5
        """

    @Test func decodesPlainDecodableTypes() throws {
        let settings = try decode(valid)
        #expect(settings.name == "edge")
        #expect(settings.enabled)
        #expect(settings.mode == Settings.Mode.safe)
        #expect(settings.pool == Settings.Pool(maxConnections: 8, name: nil))
        #expect(settings.tags == ["a", "b"])
        #expect(settings.limit?.value == 5)
        #expect(settings.limit?.mark == Mark(line: 6, column: 8))
        #expect(settings.limit?.path == ["limit"])
    }

    @Test func everyProblemIsReportedAtOnceInDocumentOrder() {
        let text = """
            name: [x]
            enabled: yes
            mode: fsat
            pool:
              max_conections: 8
            tags: [a, {b: c}]
            colour: red
            """
        #expect(errors(text) == [
            "1:7: name: expected a string, found a sequence",
            "2:10: enabled: expected true or false, found \"yes\"",
            "3:7: mode: expected one of \"fast\", \"safe\", found \"fsat\"; did you mean \"fast\"?",
            "5:3: pool: missing required key \"max_connections\"",
            "5:3: pool.max_conections: unknown key \"max_conections\"; did you mean \"max_connections\"?",
            "6:11: tags[1]: expected a string, found a mapping",
            "7:1: colour: unknown key \"colour\"; expected one of: enabled, limit, mode, name, pool, tags",
        ])
    }

    @Test func missingKeysPointAtTheirMapping() {
        #expect(errors("name: x\nenabled: false\nmode: fast\ntags: []\n") == ["1:1: missing required key \"pool\""])
    }

    @Test func quotedNumbersAreStringsWithAHint() {
        let text = valid.replacingOccurrences(of: "max_connections: 8", with: "max_connections: \"8\"")
        #expect(errors(text) == ["4:26: pool.max_connections: expected an integer, found \"8\" (a quoted string; remove the quotes)"])
    }

    @Test func emptyValueAndNullAreNamed() {
        let text = valid.replacingOccurrences(of: "name: edge", with: "name:").replacingOccurrences(of: "mode: safe", with: "mode: ~")
        #expect(errors(text) == [
            "1:6: name: expected a string, found no value",
            "3:7: mode: expected one of \"fast\", \"safe\", found null",
        ])
    }

    @Test func documentThatIsAListIsRefused() {
        #expect(errors("- a\n- b\n") == ["1:1: expected a mapping, found a sequence"])
    }

    @Test func emptyDocumentIsRefused() {
        #expect(errors("") == ["1:1: the file is empty; expected a mapping of settings"])
        #expect(errors("# nothing\n") == ["1:1: the file is empty; expected a mapping of settings"])
    }

    @Test func environmentVariablesAreSubstituted() throws {
        let text = valid.replacingOccurrences(of: "name: edge", with: "name: ${NAME}-${ZONE:-z1}-$${literal}")
        #expect(try decode(text, environment: ["NAME": "edge"]).name == "edge-z1-${literal}")
    }

    @Test func unsetVariablesAndBadSyntaxAreErrors() {
        let text = valid.replacingOccurrences(of: "name: edge", with: "name: ${MISSING}")
            .replacingOccurrences(of: "tags: [a, b]", with: "tags: [\"${1BAD}\", \"${OPEN\"]")
        #expect(errors(text) == [
            "1:7: name: environment variable MISSING is not set",
            "5:8: tags[0]: \"${1BAD}\" is not a valid variable name: use letters, digits and _, not starting with a digit",
            "5:19: tags[1]: unterminated \"${\": write ${NAME}, or $${ for a literal \"${\"",
        ])
    }

    @Test func substitutedValuesAreNeverQuotedInErrors() {
        let text = valid.replacingOccurrences(of: "limit: 5", with: "limit: ${LIMIT}")
        let found = errors(text, environment: ["LIMIT": "hunter2-secret"])
        #expect(found == ["6:8: limit: expected an integer, found the value of \"${LIMIT}\""])
        #expect(!found.joined().contains("hunter2"))
    }

    @Test func tooManyErrorsStop() {
        let text = "tags: [" + Array(repeating: "{}", count: 500).joined(separator: ", ") + "]\n"
        let found = errors(text)
        #expect(found.count == 101)
        #expect(found.last?.hasSuffix(": too many errors; stopped after 100") == true)
    }

    @Test func suggestionsNeedACloseMatch() {
        #expect(Suggestion.closest(to: "defualt_realm", among: ["default_realm", "denied_realms"]) == "default_realm")
        #expect(Suggestion.closest(to: "xyz", among: ["default_realm"]) == nil)
    }
}
