import HTTPTypes
import Hummingbird

extension Response {
    /// `reply` over Streamable HTTP: its status, and its JSON body when it has one.
    init(_ reply: MCPReply) {
        let status: HTTPResponse.Status =
            switch reply.status {
            case .ok: .ok
            case .accepted: .accepted
            case .badRequest: .badRequest
            case .notFound: .notFound
            }
        guard let body = reply.body else {
            self.init(status: status)
            return
        }
        self = .json(status, body)
    }
}
