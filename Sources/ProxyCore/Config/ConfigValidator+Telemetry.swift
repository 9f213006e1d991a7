import YAML

extension ConfigValidator {
    /// `telemetry`: the collector's OTLP/HTTP base URL (http or https, any host: a collector is
    /// usually a service next to the proxy), its service name, sample ratio and trust root.
    mutating func validateTelemetry(_ section: Located<TelemetrySection>) -> TelemetrySettings? {
        let endpoint = section.value.otlpEndpoint
        var base = endpoint.value
        while base.hasSuffix("/") { base.removeLast() }
        var settings: TelemetrySettings?
        // A collector is usually a service next to the proxy, reached over plain http.
        if let problem = Self.webURLProblem(base, plainHTTPAnywhere: true) {
            fail(endpoint, "\(problem); expected the collector's OTLP/HTTP base URL, like \"http://otel-collector:4318\"")
        } else if base.hasSuffix("/v1/traces") {
            fail(endpoint, "the proxy adds /v1/traces itself; give the base URL, like \"\(base.dropLast("/v1/traces".count))\"")
        } else {
            settings = TelemetrySettings(otlpEndpoint: base)
        }
        if let name = section.value.serviceName {
            if name.value.isEmpty || name.value.utf8.count > 255 || name.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                fail(name, "expected a service name of 1 to 255 printable characters, found \"\(name.value)\"")
            } else {
                settings?.serviceName = name.value
            }
        }
        if let ratio = section.value.sampleRatio {
            if (0.0...1.0).contains(ratio.value) {
                settings?.sampleRatio = ratio.value
            } else {
                fail(ratio, "expected a share of traces from 0 to 1 (1.0 keeps every trace), found \(ratio.value)")
            }
        }
        if let caFile = section.value.caFile, let bytes = readFile(caFile, what: "ca_file") {
            if !String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") {
                fail(caFile, "ca_file \"\(caFile.value)\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            } else if !base.lowercased().hasPrefix("https:") {
                warn(caFile, "ca_file has no effect: otlp_endpoint is not an https URL")
            } else {
                settings?.caFile = resolve(caFile.value)
            }
        }
        return settings
    }
}
