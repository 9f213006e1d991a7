import ArgumentParser
import Foundation
import ProxyCore

/// `check --config FILE`: validate a config and print every problem, or a summary of it.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config file: print every error with its line and column, or a summary.",
        discussion: "Exits 1 when the file has any error. Secrets are never printed."
    )

    @Option(name: .long, help: "The config file.")
    var config: String

    func run() async throws {
        let loader = ConfigLoader(environment: ProcessInfo.processInfo.environment)
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try loader.load(path: config)
        } catch {
            for problem in error.errors {
                printError(problem.description)
            }
            let count = error.errors.count
            printError("\(config): \(count) error\(count == 1 ? "" : "s"); nothing would be served")
            throw ExitCode(1)
        }
        for warning in loaded.warnings {
            printError("\(warning.file):\(warning.mark): \(warning.path.isEmpty ? "" : warning.path + ": ")warning: \(warning.message)")
        }
        let c = loaded.config
        let agents = c.agents.map { "\($0.count) agent\($0.count == 1 ? "" : "s")" } ?? "no agents"
        print("ok: \(config): \(c.tenants.count) tenant\(c.tenants.count == 1 ? "" : "s"), \(agents)")
        for line in c.summaryLines {
            print("  " + line)
        }
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
