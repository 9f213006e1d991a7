import Foundation
import Testing

/// config.schema.json names exactly the keys the loader knows, read from the loader's source:
/// adding a key to ConfigFile.swift without the schema (or the reverse) fails here.
@Suite("config.schema.json covers the loader", .timeLimit(.minutes(1)))
struct SchemaCoverageTests {
    /// Where each section of ConfigFile.swift is described in the schema.
    static let schemaNodes: [String: [String]] = [
        "ConfigFile": [],
        "ServerSection": ["properties", "server"],
        "TenantSection": ["$defs", "tenant"],
        "AuthSection": ["$defs", "auth"],
        "PoolSection": ["$defs", "tenant", "properties", "pool"],
        "TimeoutsSection": ["$defs", "tenant", "properties", "timeouts"],
        "LimitsSection": ["$defs", "tenant", "properties", "limits"],
        "BreakerSection": ["$defs", "tenant", "properties", "breaker"],
        "TLSSection": ["$defs", "tenant", "properties", "tls"],
        "AgentSection": ["$defs", "agent"],
        "AgentTenantSection": ["$defs", "agent", "properties", "tenants", "additionalProperties"],
        "OAuthSection": ["properties", "server", "properties", "oauth"],
        "IssuerSection": ["properties", "server", "properties", "oauth", "properties", "issuers", "items"],
        "AgentOAuthSection": ["$defs", "agent", "properties", "oauth"],
        "ClientRoleSection": ["$defs", "agent", "properties", "oauth", "properties", "client_role"],
        "TelemetrySection": ["properties", "telemetry"],
    ]

    @Test func everySectionHasTheLoadersKeysAndRejectsOthers() throws {
        let source = try String(contentsOfFile: packageRoot + "/Sources/ProxyCore/Config/ConfigFile.swift", encoding: .utf8)
        let sections = SwiftSource.decodableSections(in: source)
        #expect(sections.count >= 9, "ConfigFile.swift no longer reads as expected: \(sections.keys.sorted())")
        #expect(sections["TenantSection"]?.contains("base_path") == true)
        let schema = try Self.schema()
        for (section, keys) in sections {
            guard let path = Self.schemaNodes[section] else {
                Issue.record("ConfigFile.swift has a new section \(section) (keys \(keys.sorted())); describe it in config.schema.json and map it here")
                continue
            }
            let node = try #require(Self.node(at: path, in: schema) as? [String: Any], "no schema object at \(path)")
            let properties = Set(((node["properties"] as? [String: Any]) ?? [:]).keys)
            #expect(properties == keys, "\(section): schema has \(properties.subtracting(keys).sorted()) extra, misses \(keys.subtracting(properties).sorted())")
            #expect(node["additionalProperties"] as? Bool == false, "\(section) must reject unknown keys, as the loader does")
        }
    }

    @Test func onlyTopLevelXKeysAreFree() throws {
        let schema = try Self.schema()
        let patterns = try #require(schema["patternProperties"] as? [String: Any])
        #expect(Array(patterns.keys) == ["^x-"])
        #expect(schema["required"] as? [String] == ["version", "tenants"])
    }

    @Test func enumsMatchTheLoader() throws {
        let configFile = try String(contentsOfFile: packageRoot + "/Sources/ProxyCore/Config/ConfigFile.swift", encoding: .utf8)
        let toolFile = try String(contentsOfFile: packageRoot + "/Sources/ProxyCore/Tools/ToolName.swift", encoding: .utf8)
        let schema = try Self.schema()
        let grantTypes = try #require(Self.node(at: ["$defs", "auth", "properties", "grant_type", "anyOf"], in: schema) as? [[String: Any]])
        #expect(grantTypes.first?["enum"] as? [String] == SwiftSource.rawValues(ofEnum: "GrantType", in: configFile))
        let tools = try #require(Self.node(at: ["$defs", "agent", "properties", "tools", "items", "anyOf"], in: schema) as? [[String: Any]])
        #expect(tools.first?["enum"] as? [String] == SwiftSource.rawValues(ofEnum: "ToolName", in: toolFile))
        let scopedTools = try #require(Self.node(at: ["properties", "server", "properties", "oauth", "properties", "scopes", "propertyNames"], in: schema) as? [String: Any])
        #expect(scopedTools["enum"] as? [String] == SwiftSource.rawValues(ofEnum: "ToolName", in: toolFile))
        #expect(SwiftSource.rawValues(ofEnum: "ToolName", in: toolFile).count == 3)
    }

    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/config.schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func node(at path: [String], in schema: [String: Any]) -> Any? {
        var current: Any = schema
        for key in path {
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        return current
    }
}

/// Reads the config sections out of Swift source text: enough for ConfigFile.swift's plain style.
enum SwiftSource {
    /// For every `struct NAME: Decodable`, the YAML keys it reads: its CodingKeys' raw values, or
    /// its stored properties' names when it has no CodingKeys.
    static func decodableSections(in source: String) -> [String: Set<String>] {
        var sections: [String: Set<String>] = [:]
        for chunk in source.components(separatedBy: "\nstruct ").dropFirst() {
            let header = chunk.prefix { $0 != "{" }
            guard header.contains("Decodable") else { continue }
            let name = String(header.prefix { $0.isLetter || $0.isNumber })
            let body = chunk.components(separatedBy: "\n}\n").first ?? chunk
            if let codingKeys = body.range(of: "enum CodingKeys") {
                let block = body[codingKeys.upperBound...].components(separatedBy: "\n    }").first ?? ""
                sections[name] = Set(cases(in: block).map(\.raw))
            } else {
                sections[name] = Set(body.split(separator: "\n").compactMap { line -> String? in
                    guard line.hasPrefix("    var ") else { return nil }
                    return String(line.dropFirst("    var ".count).prefix { $0 != ":" })
                })
            }
        }
        return sections
    }

    /// The raw values of `enum NAME`'s cases, in order.
    static func rawValues(ofEnum name: String, in source: String) -> [String] {
        guard let start = source.range(of: "enum \(name)") else { return [] }
        let block = source[start.upperBound...].components(separatedBy: "\n    }").first ?? ""
        let body = block.components(separatedBy: "\n\n").first ?? block
        return cases(in: body).map(\.raw)
    }

    /// `case a, b = "c"` lines: each case's name and raw value.
    private static func cases(in block: String) -> [(name: String, raw: String)] {
        block.split(separator: "\n").flatMap { line -> [(name: String, raw: String)] in
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("case ") else { return [] }
            return text.dropFirst("case ".count).split(separator: ",").map { item in
                let parts = item.split(separator: "=").map { $0.trimmingCharacters(in: .whitespaces) }
                let name = parts[0]
                let raw = parts.count > 1 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : name
                return (name, raw)
            }
        }
    }
}
