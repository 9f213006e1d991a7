import Foundation
import ProxyCore
@testable import ProxyServer
import Testing

/// A body becomes one message, or the JSON-RPC error that answers it.
@Suite struct JSONRPCMessageTests {
    private func message(_ text: String) -> JSONRPCMessage {
        JSONRPCMessage(body: Data(text.utf8))
    }

    private func code(_ text: String) -> JSONRPCError.Code? {
        if case .invalid(let error) = message(text) { return error.code }
        return nil
    }

    @Test func aRequestKeepsItsIdMethodAndParams() {
        let parsed = message(#"{"params":{"name":"logout_user","arguments":{"user_id":"u"}},"id":7,"method":"tools/call","jsonrpc":"2.0"}"#)
        #expect(parsed == .request(id: 7, method: "tools/call", params: ["name": "logout_user", "arguments": ["user_id": "u"]]))
        #expect(message(#"{"jsonrpc":"2.0","id":"a","method":"ping","params":null}"#) == .request(id: "a", method: "ping", params: nil))
    }

    @Test func notificationsAndResponsesGetNoAnswer() {
        #expect(message(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#) == .notification(method: "notifications/initialized", params: nil))
        #expect(message(#"{"jsonrpc":"2.0","id":3,"result":{}}"#) == .response)
    }

    @Test func whatIsNoSingleRequestIsRefusedWithItsCode() {
        #expect(code("") == .parseError)
        #expect(code(#"{"jsonrpc":"2.0","id":1,"method":"ping"} x"#) == .parseError)
        #expect(code(#"{"jsonrpc":"2.0","id":1,"#) == .parseError)
        #expect(code(#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#) == .invalidRequest)
        #expect(code("42") == .invalidRequest)
        #expect(code(#"{"jsonrpc":"1.0","id":1,"method":"ping"}"#) == .invalidRequest)
        #expect(code(#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#) == .invalidRequest)
        #expect(code(#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#) == .invalidRequest)
        #expect(code(#"{"jsonrpc":"2.0","id":1,"method":3}"#) == .invalidRequest)
        #expect(code(#"{"jsonrpc":"2.0","id":1}"#) == .invalidRequest)
    }
}
