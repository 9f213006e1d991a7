import KeycloakAdmin
import ProxyCore
import Testing

@Suite("Config: tenant limits and breaker")
struct IsolationConfigTests {
    @Test func defaultsFollowThePool() throws {
        let eu = try #require(try loadConfig(baseConfig).config.tenant(named: "eu"))
        #expect(eu.limits == TenantLimits(maxInFlight: 32, maxQueued: 8))
        #expect(eu.breaker == BreakerSettings(failures: 5, coolDown: .seconds(10)))

        let small = try loadConfig(baseConfig + "\n    pool: { max_connections: 2 }").config.tenants[0]
        #expect(small.limits == TenantLimits(maxInFlight: 8, maxQueued: 2))
    }

    @Test func explicitValuesAreKept() throws {
        let text = baseConfig + """

                limits: { max_in_flight: 3, max_queued: 0 }
                breaker: { failures: 2, cool_down: 1m30s }
            """
        let eu = try loadConfig(text).config.tenants[0]
        #expect(eu.limits == TenantLimits(maxInFlight: 3, maxQueued: 0))
        #expect(eu.breaker == BreakerSettings(failures: 2, coolDown: .seconds(90)))
    }

    @Test func outOfRangeValuesAndUnknownKeysArePositioned() {
        let text = baseConfig + """

                limits: { max_in_flight: 0, max_queued: -1, max_waiting: 3 }
                breaker: { failures: 0, cool_down: 2h }
            """
        #expect(configErrors(text) == [
            "config.yaml:11:30: tenants.eu.limits.max_in_flight: expected a number of calls from 1 to 10000, found 0",
            "config.yaml:11:45: tenants.eu.limits.max_queued: expected a number of calls from 0 (no queue) to 10000, found -1",
            "config.yaml:11:49: tenants.eu.limits.max_waiting: unknown key \"max_waiting\"; expected one of: max_in_flight, max_queued",
            "config.yaml:12:26: tenants.eu.breaker.failures: expected a number of consecutive failures from 1 to 1000, found 0",
            "config.yaml:12:40: tenants.eu.breaker.cool_down: expected a duration from 1ms to 1h, found \"2h\"",
        ])
    }
}
