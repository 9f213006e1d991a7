import AsyncHTTPClient
import NIOCore
import NIOHTTP1

extension HTTPClient {
    /// Largest body read from Keycloak; a user search of 100 users is far below it.
    static let maximumBodySize = 4 << 20

    /// Executes `request` within `timeout` and reads the whole body; transport failures become
    /// ``KeycloakError``s.
    func send(_ request: HTTPClientRequest, timeout: Duration, realm: String?) async throws(KeycloakError)
        -> UpstreamResponse
    {
        do {
            let response = try await execute(request, deadline: .now() + timeout.timeAmount)
            let body = try await response.body.collect(upTo: Self.maximumBodySize)
            return UpstreamResponse(status: Int(response.status.code), body: body)
        } catch {
            throw KeycloakError.transport(error, realm: realm, timeout: timeout)
        }
    }
}
