import ArgumentParser
import Foundation
import KeycloakAdmin
import Logging
import ProxyCore
import ProxyServer

/// `check --config FILE`: validate a config and print every problem, or a summary of it.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config file: print every error with its line and column, or a summary.",
        discussion: """
            Exits 1 when the file has any error, or with --probe when any tenant cannot issue the \
            proxy a token, an OAuth issuer's keys cannot be read or the trace collector does not \
            take an export. Secrets are never printed.
            """
    )

    @Option(name: .long, help: "The config file.")
    var config: String

    @Flag(name: .long, help: "Also fetch an admin token from every tenant, every OAuth issuer's keys, and post an empty export to the trace collector; report each one.")
    var probe = false

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
        if probe {
            let tenantsOK = await probeTenants(c)
            let issuersOK = await probeIssuers(c)
            var collectorOK = true
            if let telemetry = c.telemetry {
                let result = await Telemetry.probe(telemetry)
                print(result.line)
                collectorOK = result.ok
            }
            if !tenantsOK || !issuersOK || !collectorOK { throw ExitCode(1) }
        }
    }

    /// Fetches a token from every tenant at once; true when all of them issued one.
    private func probeTenants(_ config: ProxyConfig) async -> Bool {
        let logger = Logger(label: "keycloak-mcp-proxy.check", factory: { _ in SwiftLogNoOpLogHandler() })
        let results = await withTaskGroup(of: (Int, String, Bool).self) { group in
            for (index, tenant) in config.tenants.enumerated() {
                group.addTask {
                    let client: KeycloakAdminClient
                    do {
                        client = try KeycloakAdminClient(settings: tenant.connection, logger: logger)
                    } catch {
                        return (index, "probe \(tenant.name): failed: \(error)", false)
                    }
                    let result = await client.probe()
                    try? await client.shutdown()
                    return (index, "probe \(tenant.name): \(result)", result.isOK)
                }
            }
            var results: [(Int, String, Bool)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        for (_, line, _) in results {
            print(line)
        }
        return results.allSatisfy(\.2)
    }

    /// Fetches every `server.oauth` issuer's discovery document and key set; true when each
    /// has a signing key the proxy can use.
    private func probeIssuers(_ config: ProxyConfig) async -> Bool {
        guard let issuers = config.server.oauth?.issuers else { return true }
        let logger = Logger(label: "keycloak-mcp-proxy.check", factory: { _ in SwiftLogNoOpLogHandler() })
        var ok = true
        for issuer in issuers {
            let result = await AccessTokenVerifier.probe(issuer, logger: logger)
            print(result.line)
            ok = ok && result.ok
        }
        return ok
    }

    private func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
