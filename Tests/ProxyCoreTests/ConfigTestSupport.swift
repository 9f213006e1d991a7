import Foundation
import ProxyCore

/// A temporary directory for files a config names; removed by `remove()`.
struct TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "kmp-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Loads config text as the file `config.yaml` in `directory`.
func loadConfig(_ text: String, environment: [String: String] = [:], directory: String = "/nonexistent-dir") throws(ConfigErrors) -> ConfigLoader.Loaded {
    try ConfigLoader(environment: environment).load(bytes: Array(text.utf8), fileName: "config.yaml", directory: directory)
}

/// The errors loading config text gives, as `config.yaml:LINE:COL: path: message`.
func configErrors(_ text: String, environment: [String: String] = [:], directory: String = "/nonexistent-dir") -> [String] {
    do {
        _ = try loadConfig(text, environment: environment, directory: directory)
        return []
    } catch {
        return error.errors.map(\.description)
    }
}

/// A valid one-tenant config; tests change single lines of it.
let baseConfig = """
    version: 1
    tenants:
      eu:
        url: "https://sso.eu.example.com"
        auth:
          client_id: proxy
          client_secret: s3cret-inline-value
        default_realm: customers
        allowed_realms: [customers, "partner-*"]
        denied_realms: [master]
    """

extension String {
    /// The text with one exact substring replaced; fails loudly when it is absent.
    func replacing(_ old: String, with new: String) -> String {
        precondition(contains(old), "test text has no \(old)")
        return replacingOccurrences(of: old, with: new)
    }
}

/// The package root, found from this file.
let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.path + "/Package.swift") { return url.path }
    }
    return FileManager.default.currentDirectoryPath
}()
