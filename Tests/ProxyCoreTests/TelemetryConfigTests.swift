import Foundation
import ProxyCore
import Testing

/// The `telemetry` section (DESIGN.md sections 1 and 9).
@Suite("Telemetry config")
struct TelemetryConfigTests {
    @Test func absentMeansNoTracing() throws {
        #expect(try loadConfig(baseConfig).config.telemetry == nil)
    }

    @Test func endpointNameAndRatioLoad() throws {
        let loaded = try loadConfig(baseConfig + """

            telemetry:
              otlp_endpoint: "http://otel-collector.observability:4318/"
              service_name: kc-proxy-eu
              sample_ratio: 0.25
            """)
        let telemetry = try #require(loaded.config.telemetry)
        #expect(telemetry.tracesURL == "http://otel-collector.observability:4318/v1/traces")
        #expect(telemetry.serviceName == "kc-proxy-eu")
        #expect(telemetry.sampleRatio == 0.25)
        #expect(loaded.warnings.isEmpty)
        #expect(loaded.config.summaryLines.contains("telemetry: spans to http://otel-collector.observability:4318/v1/traces as kc-proxy-eu; 0.25 of new traces kept"))
    }

    @Test func defaultsKeepEveryTraceUnderTheProxysName() throws {
        let telemetry = try #require(try loadConfig(baseConfig + "\ntelemetry:\n  otlp_endpoint: https://collector.example.com/otlp\n").config.telemetry)
        #expect(telemetry.tracesURL == "https://collector.example.com/otlp/v1/traces")
        #expect(telemetry.serviceName == "keycloak-mcp-proxy")
        #expect(telemetry.sampleRatio == 1.0)
        #expect(telemetry.caFile == nil)
    }

    @Test func everyProblemIsReportedWithItsPosition() {
        let text = baseConfig + """

            telemetry:
              otlp_endpoint: "grpc://collector:4317"
              service_name: ""
              sample_ratio: 1.5
              exporter: otlp
            """
        #expect(configErrors(text) == [
            "config.yaml:12:18: telemetry.otlp_endpoint: the scheme must be http or https, found \"grpc\"; expected the collector's OTLP/HTTP base URL, like \"http://otel-collector:4318\"",
            "config.yaml:13:17: telemetry.service_name: expected a service name of 1 to 255 printable characters, found \"\"",
            "config.yaml:14:17: telemetry.sample_ratio: expected a share of traces from 0 to 1 (1.0 keeps every trace), found 1.5",
            "config.yaml:15:3: telemetry.exporter: unknown key \"exporter\"; expected one of: ca_file, otlp_endpoint, sample_ratio, service_name",
        ])
    }

    @Test func theSignalPathAndCredentialsAreRefused() {
        #expect(configErrors(baseConfig + "\ntelemetry:\n  otlp_endpoint: http://collector:4318/v1/traces\n") == [
            "config.yaml:12:18: telemetry.otlp_endpoint: the proxy adds /v1/traces itself; give the base URL, like \"http://collector:4318\""
        ])
        #expect(configErrors(baseConfig + "\ntelemetry:\n  otlp_endpoint: http://user:pw@collector:4318\n") == [
            "config.yaml:12:18: telemetry.otlp_endpoint: the URL must not carry credentials; expected the collector's OTLP/HTTP base URL, like \"http://otel-collector:4318\""
        ])
        #expect(configErrors(baseConfig + "\ntelemetry:\n  service_name: x\n") == ["config.yaml:12:3: telemetry: missing required key \"otlp_endpoint\""])
    }
}
