import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Thrown after closing a connection on purpose, so no response is written.
struct DroppedConnection: Error {}

extension KeycloakEmulator {
    /// One request: record it, apply injected faults, then answer as Keycloak would.
    func handle(_ request: Request, channel: any Channel) async throws -> Response {
        var request = request
        let target = request.head.path ?? "/"
        let method = request.method.rawValue
        if method == "POST", target == "/v1/traces" {
            recorder.record(RecordedRequest(method: method, rawTarget: target, kind: .traceExport))
            _ = try await request.collectBody(upTo: 64 << 20)
            // An empty ExportTraceServiceResponse: every span taken.
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"], body: ResponseBody())
        }
        let match = RouteMatch(method: method, target: target[...], basePath: configuration.basePath)
        let kind = match.kind
        recorder.record(RecordedRequest(method: method, rawTarget: target, kind: kind, traceparent: request.headers[Self.traceparent]))

        let (failure, latency) = faults.decide(for: kind)
        if latency > .zero { try await Task.sleep(for: latency) }
        await stalls.waitIfStalled(kind)
        switch failure {
        case .dropConnection?:
            try? await channel.close()
            throw DroppedConnection()
        case .status(let status, let body)?:
            return Self.response(status: status, body: body.map { ByteBuffer(string: $0) }, kind: kind)
        case nil:
            break
        }

        let reply: EmulatorReply
        switch match {
        case .notNormalized:
            reply = .notNormalized
        case .methodNotAllowed:
            reply = .methodNotAllowed
        case .notFound:
            reply = .resourceNotFound(fullPath: baseURL(request) + target.prefix { $0 != "?" })
        case .route(.token(let realm)):
            let body = try await request.collectBody(upTo: 1 << 20)
            let tokenRequest = TokenRequest(
                form: FormFields.decode(String(buffer: body)),
                authorization: request.headers[.authorization]
            )
            let base = baseURL(request) + configuration.basePath
            let now = ContinuousClock.now
            let outcome = directory.withLock { $0.token(realm: realm, request: tokenRequest, base: base, now: now) }
            switch outcome {
            case .reply(let answer):
                reply = answer
            case .sign(let pending):
                reply = await issue(pending)
            }
        case .route(.discovery(let realm)), .route(.authorizationServerMetadata(let realm)):
            let base = baseURL(request) + configuration.basePath
            reply = directory.withLock { $0.discovery(realm: realm, base: base) }
        case .route(.jwks(let realm)):
            reply = await jwks(realm: realm, accept: request.headers[.accept])
        case .route(let route):
            let bearer = Self.bearer(request.headers[.authorization])
            let query = target.firstIndex(of: "?").map { FormFields.decode(target[target.index(after: $0)...]) } ?? [:]
            let now = ContinuousClock.now
            reply = directory.withLock { $0.admin(route, bearer: bearer, query: query, now: now) }
        }
        return Self.response(reply, kind: kind)
    }

    private func baseURL(_ request: Request) -> String {
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = request.head.authority ?? "\(configuration.host):\(port ?? 0)"
        return "\(scheme)://\(host)"
    }

    private static func bearer(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7))
    }

    private static let traceparent = HTTPField.Name("traceparent")!
    private static let cacheControl = HTTPField.Name("Cache-Control")!
    private static let pragma = HTTPField.Name("Pragma")!

    private static func response(_ reply: EmulatorReply, kind: EndpointKind) -> Response {
        var body: ByteBuffer?
        if let value = reply.body {
            do {
                body = ByteBuffer(bytes: try EmulatorJSON.encoder.encode(value))
            } catch {
                return response(status: 500, body: nil, kind: kind)
            }
        }
        return response(status: reply.status, body: body, headers: reply.headers, kind: kind)
    }

    /// `body` is JSON, or `nil` for an empty body.
    private static func response(
        status: Int, body: ByteBuffer?, headers extra: [(String, String)] = [], kind: EndpointKind
    ) -> Response {
        var headers = HTTPFields()
        if body != nil { headers[.contentType] = "application/json" }
        if kind == .token {
            headers[cacheControl] = "no-store"
            headers[pragma] = "no-cache"
        }
        for (name, value) in extra {
            if let name = HTTPField.Name(name) { headers[name] = value }
        }
        return Response(
            status: .init(code: status), headers: headers, body: body.map { ResponseBody(byteBuffer: $0) } ?? ResponseBody())
    }
}
