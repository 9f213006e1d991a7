import Foundation

/// The deployment files under deploy/, read as a user of them would: the ConfigMap's config
/// text exactly as Kubernetes would write it into the pod, and the example Secret's entries.
enum DeployManifests {
    static let configMap = packageRoot + "/deploy/kubernetes/configmap.yaml"
    static let secretExample = packageRoot + "/deploy/kubernetes/secret-example/secret.yaml"

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// The `config.yaml: |` literal block of the ConfigMap's `data`, without its indentation.
    static func configMapConfig() throws -> String {
        let lines = try String(contentsOfFile: configMap, encoding: .utf8).components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "  config.yaml: |") else {
            throw Problem(description: "no `  config.yaml: |` block in \(configMap)")
        }
        var block: [String] = []
        for line in lines[(start + 1)...] {
            if line.isEmpty { block.append(""); continue }
            guard line.hasPrefix("    ") else { break }
            block.append(String(line.dropFirst(4)))
        }
        while block.last == "" { block.removeLast() }
        return block.joined(separator: "\n") + "\n"
    }

    /// The `stringData` entries of the example Secret: `KEY: "value"`, one a line.
    static func secretExampleEnvironment() throws -> [String: String] {
        let lines = try String(contentsOfFile: secretExample, encoding: .utf8).components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "stringData:") else {
            throw Problem(description: "no stringData in \(secretExample)")
        }
        var entries: [String: String] = [:]
        for line in lines[(start + 1)...] {
            guard line.hasPrefix("  ") else { break }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("#") || text.isEmpty { continue }
            guard let colon = text.firstIndex(of: ":") else { throw Problem(description: "unreadable line \(line)") }
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            entries[String(text[..<colon])] = value.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return entries
    }
}
