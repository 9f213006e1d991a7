import Foundation
import KeycloakEmulator
import Logging
import ProxyCore
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Config reload against emulated Keycloaks", .timeLimit(.minutes(1)))
struct ReloadTests {
    @Test func anAddedTenantIsReachableOnTheNextCallAfterTheFileChanges() async throws {
        try await withReloader(
            initial: { eu, _ in configYAML(defaultTenant: "eu", tenantYAML("eu", url: eu)) }, pollInterval: .milliseconds(50)
        ) { f in
            let before = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "us"])
            #expect(errorCode(before) == "unknown_tenant")

            try f.write(configYAML(defaultTenant: "eu", tenantYAML("eu", url: f.eu.url), tenantYAML("us", url: f.us.url)))
            #expect(await f.reloads(1))
            #expect(f.reloader.status.lastChanges?.added == ["us"])
            #expect(f.reloader.status.lastChanges?.kept == ["eu"])

            let after = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "us"])
            #expect(errorCode(after) == nil)
            #expect(f.us.requestCount(.logout) == 1)
        }
    }

    @Test func aPolicyChangeAppliesToTheNextCallAndAnUnchangedTenantKeepsItsRuntimeAndToken() async throws {
        let narrow = { (eu: String) in configYAML(tenantYAML("eu", url: eu, "protected_users: [bob]")) }
        let wide = { (eu: String) in configYAML(tenantYAML("eu", url: eu, "allowed_realms: [customers, partner-acme]")) }
        try await withReloader(initial: { eu, _ in narrow(eu) }) { f in
            let runtime = try #require(f.registry.current.runtime("eu"))
            let denied = try await f.call("logout_user", ["user_id": .string(aliceID), "realm": "partner-acme"])
            #expect(errorCode(denied) == "policy_denied")
            let protected = try await f.call("logout_user", ["user_id": .string(bobID)])
            #expect(errorCode(protected) == "protected_user")
            #expect(f.eu.requestCount(.token) == 1)

            try f.write(wide(f.eu.url))
            #expect(f.reloader.reload())
            let allowed = try await f.call("logout_user", ["user_id": .string(aliceID), "realm": "partner-acme"])
            #expect(errorCode(allowed) == nil)
            let unprotected = try await f.call("logout_user", ["user_id": .string(bobID)])
            #expect(errorCode(unprotected) == nil)

            // Same connection settings: the same runtime object, its pool and its token.
            #expect(f.registry.current.runtime("eu") === runtime)
            #expect(runtime.phase == .serving)
            #expect(runtime.config.realms.allowed?.map(\.text) == ["customers", "partner-acme"])
            #expect(f.eu.requestCount(.token) == 1)
            #expect(f.reloader.status.lastChanges?.kept == ["eu"])
        }
    }

    @Test func aChangedURLGetsANewRuntimeAndTheOldOneIsClosed() async throws {
        try await withReloader(initial: { eu, _ in configYAML(tenantYAML("eu", url: eu)) }) { f in
            let old = try #require(f.registry.current.runtime("eu"))
            _ = try await f.call("get_user_sessions", ["user_id": .string(aliceID)])
            #expect(f.eu.requestCount(.userSessions) == 1)

            try f.write(configYAML(tenantYAML("eu", url: f.us.url)))
            #expect(f.reloader.reload())
            #expect(f.reloader.status.lastChanges?.replaced == ["eu"])
            let new = try #require(f.registry.current.runtime("eu"))
            #expect(new !== old)

            let outcome = try await f.call("get_user_sessions", ["user_id": .string(aliceID)])
            #expect(errorCode(outcome) == nil)
            #expect(f.us.requestCount(.userSessions) == 1)
            #expect(f.eu.requestCount(.userSessions) == 1)
            #expect(f.us.requestCount(.token) == 1)

            await f.registry.retirementsFinished()
            #expect(old.phase == .closed)
            #expect(new.phase == .serving)
        }
    }

    @Test func aRemovedTenantFinishesItsStalledCallBeforeItsClientIsShutDown() async throws {
        try await withReloader(initial: { eu, us in configYAML(tenantYAML("eu", url: eu), tenantYAML("us", url: us)) }) { f in
            let old = try #require(f.registry.current.runtime("us"))
            f.us.stall(.logout)
            async let stalled = f.call("logout_user", ["user_id": .string(aliceID), "tenant": "us"])
            #expect(await eventually { f.us.stalledCount == 1 })

            try f.write(configYAML(tenantYAML("eu", url: f.eu.url)))
            #expect(f.reloader.reload())
            #expect(f.reloader.status.lastChanges?.removed == ["us"])
            // The next call no longer sees the tenant; the stalled one still holds its runtime.
            let next = try await f.call("logout_user", ["user_id": .string(bobID), "tenant": "us"])
            #expect(errorCode(next) == "unknown_tenant")
            #expect(old.phase == .draining)
            #expect(old.activeCalls == 1)

            f.us.releaseStalled()
            let outcome = try await stalled
            #expect(errorCode(outcome) == nil, "the call in flight completes on the retired runtime")
            #expect(try f.us.sessions(realm: "customers", userID: aliceID).filter { !$0.offline }.isEmpty)
            await f.registry.retirementsFinished()
            #expect(old.phase == .closed)
            #expect(old.activeCalls == 0)
        }
    }

    @Test func aBrokenFileKeepsTheOldConfigServingAndReportsEveryErrorWithItsPosition() async throws {
        try await withReloader(initial: { eu, _ in configYAML(tenantYAML("eu", url: eu)) }) { f in
            let broken = configYAML(tenantYAML("eu", url: f.eu.url, "timeouts: { request: ten }\nlimits: { max_in_flight: 0 }"))
            try f.write(broken)
            #expect(f.reloader.reload() == false)

            // Where each problem is, computed from the text itself.
            func position(of value: String, after key: String) -> String {
                let lines = broken.components(separatedBy: "\n")
                let index = lines.firstIndex { $0.contains(key + value) }!
                let column = lines[index].range(of: key + value)!.lowerBound.utf16Offset(in: lines[index]) + key.utf16.count + 1
                return "\(f.path):\(index + 1):\(column)"
            }
            let expected = [
                "\(position(of: "ten", after: "request: ")): tenants.eu.timeouts.request: expected a duration like \"10s\", found \"ten\"",
                "\(position(of: "0", after: "max_in_flight: ")): tenants.eu.limits.max_in_flight: expected a number of calls from 1 to 10000, found 0",
            ]
            #expect(f.reloader.status.lastErrors == expected)
            #expect(f.reloader.status.lastSucceeded == false)
            let logged = f.logs.all.filter { $0.level == .error }.map(\.message)
            for line in expected {
                #expect(logged.contains(line), "logged: \(logged)")
            }

            let outcome = try await f.call("logout_user", ["user_id": .string(bobID)])
            #expect(errorCode(outcome) == nil, "the old config keeps serving")

            try f.write(configYAML(tenantYAML("eu", url: f.eu.url, "timeouts: { request: 5s }")))
            #expect(f.reloader.reload())
            #expect(f.reloader.status == {
                var status = ReloadStatus()
                status.succeeded = 1
                status.failed = 1
                status.lastSucceeded = true
                status.lastChanges = TenantRegistry.Changes(replaced: ["eu"])
                return status
            }())
        }
    }

    @Test func aChangedListenerLimitIsSaidToNeedARestart() async throws {
        let withServer = { (text: String, server: String) in text.replacing("version: 1\n", with: "version: 1\nserver:\n" + server) }
        try await withReloader(initial: { eu, _ in withServer(configYAML(tenantYAML("eu", url: eu)), "  idle_timeout: 5s\n") }) { f in
            // Origins apply on the next request: no warning for them.
            try f.write(withServer(configYAML(tenantYAML("eu", url: f.eu.url)), "  idle_timeout: 5s\n  allowed_origins: [\"https://a.example.com\"]\n"))
            #expect(f.reloader.reload())
            #expect(f.logs.all.filter { $0.level == .warning }.isEmpty)

            try f.write(withServer(configYAML(tenantYAML("eu", url: f.eu.url)), "  idle_timeout: 9s\n  max_body_bytes: 4096\n  allowed_origins: [\"https://a.example.com\"]\n"))
            #expect(f.reloader.reload())
            // (The file watcher may have reloaded it too: once per reload.)
            let warning = "server.idle_timeout, server.max_body_bytes differ from what was read at start: kept as they were until a restart"
            let warnings = { f.logs.all.filter { $0.level == .warning }.map(\.message) }
            let changed = warnings()
            #expect(!changed.isEmpty && changed.allSatisfy { $0 == warning }, "\(changed)")

            // Compared with what runs, not with the file before: back to the start's values,
            // nothing to say.
            try f.write(withServer(configYAML(tenantYAML("eu", url: f.eu.url)), "  idle_timeout: 5s\n"))
            #expect(f.reloader.reload())
            #expect(warnings().count == changed.count)
        }
    }

    @Test func aChangedTelemetrySectionIsSaidToNeedARestart() async throws {
        try await withReloader(initial: { eu, _ in configYAML(tenantYAML("eu", url: eu)) }) { f in
            try f.write(configYAML(tenantYAML("eu", url: f.eu.url)) + "\ntelemetry:\n  otlp_endpoint: http://otel-collector:4318\n")
            #expect(f.reloader.reload())
            let warnings = f.logs.all.filter { $0.level == .warning }.map(\.message)
            #expect(!warnings.isEmpty && warnings.allSatisfy { $0 == "telemetry differ from what was read at start: kept as they were until a restart" }, "\(warnings)")
        }
    }

    @Test func aKubernetesConfigMapSwapIsPickedUpEvenWithTheSameSizeAndMtime() async throws {
        // kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..TIMESTAMP/.
        let layout = { (dir: TempDirectory, text: String) throws -> String in
            let fm = FileManager.default
            try fm.createDirectory(atPath: dir.path + "/..2026_11_24_10_00_00.1", withIntermediateDirectories: false)
            _ = try dir.write("..2026_11_24_10_00_00.1/config.yaml", text)
            try fm.createSymbolicLink(atPath: dir.path + "/..data", withDestinationPath: "..2026_11_24_10_00_00.1")
            try fm.createSymbolicLink(atPath: dir.path + "/config.yaml", withDestinationPath: "..data/config.yaml")
            return dir.path + "/config.yaml"
        }
        let text = { (eu: String, realm: String) in configYAML(tenantYAML("eu", url: eu, "allowed_realms: [customers, \(realm)]")) }
        try await withReloader(initial: { eu, _ in text(eu, "partner-acmx") }, pollInterval: .milliseconds(50), layout: layout) { f in
            let denied = try await f.call("logout_user", ["user_id": .string(aliceID), "realm": "partner-acme"])
            #expect(errorCode(denied) == "policy_denied")

            // The update: a new timestamped directory whose file has the same size and mtime,
            // then ..data swapped by renaming a new symlink over it, then the old directory gone.
            let oldFile = f.dir.path + "/..2026_11_24_10_00_00.1/config.yaml"
            let newDir = f.dir.path + "/..2026_11_24_10_05_00.2"
            try FileManager.default.createDirectory(atPath: newDir, withIntermediateDirectories: false)
            let newText = text(f.eu.url, "partner-acme")
            #expect(newText.utf8.count == (try String(contentsOfFile: oldFile, encoding: .utf8)).utf8.count)
            try newText.write(toFile: newDir + "/config.yaml", atomically: false, encoding: .utf8)
            var old = stat()
            #expect(stat(oldFile, &old) == 0)
            var times = [old.st_atim, old.st_mtim]
            #expect(utimensat(AT_FDCWD, newDir + "/config.yaml", &times, 0) == 0)
            try FileManager.default.createSymbolicLink(atPath: f.dir.path + "/..data_tmp", withDestinationPath: "..2026_11_24_10_05_00.2")
            #expect(rename(f.dir.path + "/..data_tmp", f.dir.path + "/..data") == 0)
            try FileManager.default.removeItem(atPath: f.dir.path + "/..2026_11_24_10_00_00.1")

            #expect(await f.reloads(1))
            let allowed = try await f.call("logout_user", ["user_id": .string(aliceID), "realm": "partner-acme"])
            #expect(errorCode(allowed) == nil)
            #expect(f.reloader.status.lastChanges?.kept == ["eu"])
        }
    }

    @Test func sighupReloads() async throws {
        try await withReloader(
            initial: { eu, _ in configYAML(tenantYAML("eu", url: eu)) }, pollInterval: .zero, reloadOnSIGHUP: true
        ) { f in
            #expect(await eventually { f.reloader.isListeningForSIGHUP })
            try f.write(configYAML(tenantYAML("eu", url: f.eu.url), tenantYAML("us", url: f.us.url)))
            #expect(kill(getpid(), SIGHUP) == 0)
            #expect(await f.reloads(1))
            #expect(f.registry.current.runtime("us") != nil)
            // Polling is off: the one reload that applied the change is the signal's, as its log
            // line says.
            let reloaded = { f.logs.all.filter { $0.message == "config reloaded" } }
            #expect(await eventually { !reloaded().isEmpty })
            #expect(reloaded().map { $0.metadata["trigger"]?.description } == ["SIGHUP"], "\(reloaded().map(\.metadata))")
            #expect(f.reloader.status.succeeded == 1)
        }
    }
}

@Suite("Reload and shutdown under load", .timeLimit(.minutes(1)))
struct ReloadUnderLoadTests {
    @Test func noCallIsLostWhileTheTenantIsReplacedAgainAndAgain() async throws {
        try await withReloader(initial: { eu, _ in configYAML(tenantYAML("eu", url: eu)) }) { f in
            let urls = [f.us.url, f.eu.url]
            let first = try #require(f.registry.current.runtime("eu"))
            let codes = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        var codes: [String] = []
                        for _ in 0..<25 {
                            let outcome = try await f.call("get_user_sessions", ["user_id": .string(aliceID)])
                            codes.append(errorCode(outcome) ?? "ok")
                        }
                        return codes
                    }
                }
                // Each reload changes the URL: a new runtime, the old one retired mid-traffic.
                for index in 0..<10 {
                    try f.write(configYAML(tenantYAML("eu", url: urls[index % 2])))
                    #expect(f.reloader.reload())
                    try await Task.sleep(for: .milliseconds(15))
                }
                var all: [String] = []
                for try await codes in group { all += codes }
                return all
            }
            #expect(codes.count == 150)
            #expect(codes.allSatisfy { $0 == "ok" }, "\(Dictionary(codes.map { ($0, 1) }, uniquingKeysWith: +))")
            #expect(f.reloader.status.succeeded == 10)
            await f.registry.retirementsFinished()
            #expect(first.phase == .closed)
        }
    }

    @Test func shutdownLetsTheCallsInFlightFinishAndRefusesNewOnes() async throws {
        try await withReloader(initial: { eu, us in configYAML(tenantYAML("eu", url: eu), tenantYAML("us", url: us)) }) { f in
            let us = try #require(f.registry.current.runtime("us"))
            f.us.stall(.userSessions)
            async let stalled = f.call("get_user_sessions", ["user_id": .string(aliceID), "tenant": "us"])
            #expect(await eventually { f.us.stalledCount == 1 })

            async let shutdown: Void = f.registry.shutdown()
            #expect(await eventually { f.registry.current.runtime("eu")?.phase == .closed })
            #expect(us.phase == .draining)
            let refused = try await f.call("get_user_sessions", ["user_id": .string(aliceID), "tenant": "eu"])
            #expect(errorCode(refused) == "upstream_unavailable")
            #expect(refused.structuredContent["error"]?["message"] == "tenant eu is shutting down; try again shortly")

            f.us.releaseStalled()
            #expect(errorCode(try await stalled) == nil)
            await shutdown
            #expect(us.phase == .closed)
        }
    }
}
