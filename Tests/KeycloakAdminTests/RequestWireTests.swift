import NIOCore
import NIOHTTP1
import Testing

@testable import KeycloakAdmin

/// The bytes a tenant request goes out as: `Host` first, the request's headers, and
/// `Content-Length` whenever Keycloak expects one.
@Suite struct RequestWireTests {
    func wire(_ request: UpstreamRequest) -> String {
        String(buffer: request.wire(host: "kc.example:8443", allocator: ByteBufferAllocator()))
    }

    @Test func aGetHasNoLength() {
        #expect(
            wire(UpstreamRequest(.GET, path: "/admin/realms/r/users?max=1", headers: ["Accept": "application/json"]))
                == "GET /admin/realms/r/users?max=1 HTTP/1.1\r\nHost: kc.example:8443\r\nAccept: application/json\r\n\r\n")
    }

    @Test func aPostWithoutBodySaysZero() {
        #expect(
            wire(UpstreamRequest(.POST, path: "/admin/realms/r/users/u/logout"))
                == "POST /admin/realms/r/users/u/logout HTTP/1.1\r\nHost: kc.example:8443\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func aBodyFollowsItsLength() {
        let request = UpstreamRequest(
            .POST, path: "/realms/master/protocol/openid-connect/token",
            headers: ["Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: "a=b"))
        #expect(
            wire(request)
                == "POST /realms/master/protocol/openid-connect/token HTTP/1.1\r\nHost: kc.example:8443\r\n"
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b")
    }

    @Test func anAdminRequestCarriesItsTokensLinesAfterItsHeaders() {
        let token = AdminToken(generation: 1, value: Secret("eyJ.a-b_c"), requestedAt: .now, lifetime: .seconds(300))
        let request = UpstreamRequest(
            .POST, path: "/admin/realms/r/users/u/logout", headers: ["X-Trace": "1"], fieldLines: token.adminFieldLines)
        #expect(
            wire(request)
                == "POST /admin/realms/r/users/u/logout HTTP/1.1\r\nHost: kc.example:8443\r\nX-Trace: 1\r\n"
                + "Authorization: Bearer eyJ.a-b_c\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func onlySafeMethodsAndMarkedRequestsMayGoAgain() {
        #expect(UpstreamRequest(.GET, path: "/").idempotent)
        #expect(!UpstreamRequest(.POST, path: "/").idempotent)
        #expect(!UpstreamRequest(.PUT, path: "/").idempotent)
        #expect(!UpstreamRequest(.DELETE, path: "/").idempotent)
        #expect(UpstreamRequest(.POST, path: "/", idempotent: true).idempotent)
    }
}
