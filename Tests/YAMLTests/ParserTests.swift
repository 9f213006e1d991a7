import Testing
import YAML

/// The errors a text gives, as `LINE:COL: path: message`.
private func parseErrors(_ text: String, limits: YAMLParser.Limits = .init()) -> [String] {
    do {
        _ = try YAMLParser(limits: limits).parse(text)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

@Suite("YAML parser")
struct ParserTests {
    @Test func mappingKeepsDocumentOrderAndPositions() throws {
        let node = try #require(try YAMLParser().parse("b: 1\na:\n  - x\n  - 'y'\n"))
        guard case .mapping(let pairs) = node.value else { Issue.record("not a mapping"); return }
        #expect(pairs.map { $0.key.scalar?.text } == ["b", "a"])
        #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
        guard case .sequence(let items) = pairs[1].value.value else { Issue.record("not a sequence"); return }
        #expect(items.map(\.mark) == [Mark(line: 3, column: 5), Mark(line: 4, column: 5)])
        #expect(items[1].scalar?.style == .singleQuoted)
    }

    @Test func emptyTextAndCommentsOnlyHoldNoDocument() throws {
        #expect(try YAMLParser().parse("") == nil)
        #expect(try YAMLParser().parse("# only a comment\n\n") == nil)
    }

    @Test func duplicateKeysAreAllReportedAtTheSecondOccurrence() {
        let errors = parseErrors("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
        #expect(errors == [
            "4:3: b.c: duplicate key \"c\"; it is first defined at line 3, column 3",
            "5:1: a: duplicate key \"a\"; it is first defined at line 1, column 1",
        ])
    }

    @Test func secondDocumentIsRefused() {
        #expect(parseErrors("a: 1\n---\nb: 2\n") == [
            "2:1: found a second YAML document; a config file holds exactly one (remove the '---' separator)"
        ])
    }

    @Test func aliasesAndMergeKeysResolve() throws {
        let text = """
            base: &base { pool: 8, timeout: 2s }
            eu:
              <<: *base
              timeout: 5s
            us: *base
            """
        let node = try #require(try YAMLParser().parse(text))
        guard case .mapping(let top) = node.value, case .mapping(let eu) = top[1].value.value else {
            Issue.record("unexpected shape")
            return
        }
        #expect(eu.map { $0.key.scalar?.text } == ["pool", "timeout"])
        #expect(eu.map { $0.value.scalar?.text } == ["8", "5s"])
        #expect(top[2].value == top[0].value)
    }

    @Test(.timeLimit(.minutes(1))) func aliasBombFailsFastAtTheAlias() {
        var lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        let errors = parseErrors(lines.joined(separator: "\n"))
        #expect(errors.count == 1)
        // Level 5 holds 9^6 nodes: the cap of 100,000 is crossed on that line.
        #expect(errors.first?.hasPrefix("6:") == true)
        #expect(errors.first?.contains("aliases expand to more than 100000 nodes (an alias bomb?)") == true)
    }

    @Test func unknownAliasIsAnError() {
        #expect(parseErrors("a: *nowhere\n") == ["1:4: a: alias *nowhere refers to no anchor &nowhere defined before it"])
    }

    @Test func tabIndentationIsExplained() {
        #expect(parseErrors("a:\n\tb: 1\n") == ["2:1: found a tab character; YAML indents with spaces only"])
    }

    @Test func syntaxErrorsCarryLibyamlsPositionAndText() {
        let errors = parseErrors("a: [1, 2\nb: 3\n")
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("2:2: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)"))
    }

    @Test func invalidUTF8IsReportedWithItsLineAndColumn() {
        var bytes = Array("a: ok\nb: caf".utf8)
        bytes += [0xC3, 0x28]  // a broken two-byte sequence
        bytes += Array("\n".utf8)
        do {
            _ = try YAMLParser().parse(bytes: bytes)
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors[0].mark == Mark(line: 2, column: 7))
            #expect(error.errors[0].message.hasPrefix("the file is not valid text: invalid trailing UTF-8 octet"))
        }
    }

    @Test func deepNestingIsCapped() {
        let text = String(repeating: "[", count: 50) + String(repeating: "]", count: 50)
        #expect(parseErrors(text, limits: .init(maxDepth: 20)) == ["1:21: \(Array(repeating: "[0]", count: 20).joined()): collections nest deeper than 20 levels"])
    }

    @Test func explicitTagsAreKept() throws {
        let node = try #require(try YAMLParser().parse("a: !!str 8\n"))
        guard case .mapping(let pairs) = node.value else { Issue.record("not a mapping"); return }
        #expect(pairs[0].value.scalar == Scalar("8", style: .plain, tag: Scalar.stringTag))
    }
}

/// What the parser steps over: reported, and the rest of the document still read.
@Suite("YAML parser: problems it steps over")
struct ParserRecoveryTests {
    private func collected(_ text: String) throws -> (root: Node?, problems: [String]) {
        let (root, problems) = try YAMLParser().parseCollecting(bytes: Array(text.utf8))
        return (root, problems.map(\.description))
    }

    private func keys(_ node: Node?) -> [String] {
        guard case .mapping(let pairs)? = node?.value else { return [] }
        return pairs.compactMap { $0.key.scalar?.text }
    }

    @Test func aDuplicateKeyLeavesTheFirstOccurrenceStanding() throws {
        let (root, problems) = try collected("a: 1\nb: { c: 1, c: 2 }\na: 3\nd: 4\n")
        #expect(problems.count == 2)
        #expect(keys(root) == ["a", "b", "d"])
        guard case .mapping(let pairs)? = root?.value else { Issue.record("not a mapping"); return }
        #expect(pairs[0].value.scalar?.text == "1")
        guard case .mapping(let inner) = pairs[1].value.value else { Issue.record("not a mapping"); return }
        #expect(inner.map { $0.value.scalar?.text } == ["1"])
    }

    @Test func anAliasToNoAnchorIsReportedAndStandsForAnEmptyValue() throws {
        let (root, problems) = try collected("a: *nowhere\nb: 2\n")
        #expect(problems == ["1:4: a: alias *nowhere refers to no anchor &nowhere defined before it"])
        #expect(keys(root) == ["a", "b"])
    }

    @Test func aMergeKeyOnAScalarIsReportedAndSkipped() throws {
        let (root, problems) = try collected("a:\n  <<: 5\n  b: 1\n")
        #expect(problems == ["2:7: a.<<: a merge key (<<) takes a mapping or a list of mappings, found \"5\""])
        guard case .mapping(let pairs)? = root?.value else { Issue.record("not a mapping"); return }
        #expect(keys(pairs[0].value) == ["b"])
    }

    @Test func aSecondDocumentIsReportedAndTheFirstStillRead() throws {
        let (root, problems) = try collected("a: 1\n---\nb: 2\n")
        #expect(problems.count == 1)
        #expect(keys(root) == ["a"])
    }

    @Test func aSyntaxErrorStillEndsParsingWithTheProblemsBeforeIt() {
        #expect(throws: YAMLErrors.self) { try collected("a: 1\na: 2\nb: [unclosed\n") }
        do {
            _ = try collected("a: 1\na: 2\nb: [unclosed\n")
        } catch let error as YAMLErrors {
            #expect(error.errors.count == 2)
            #expect(error.errors.first?.description.contains("duplicate key") == true)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
