import Foundation
public import ProxyCore

/// One JSON-RPC message from a client, decoded once (Foundation's `JSONDecoder`) and checked
/// before anything answers it, so malformed input gets a JSON-RPC error (parse error or invalid
/// request), never a hang.
public enum JSONRPCMessage: Sendable, Hashable {
    /// A request to answer, keyed by its id (a string or an integer).
    case request(id: JSONValue, method: String, params: JSONValue?)
    /// A notification: nothing to answer.
    case notification(method: String, params: JSONValue?)
    /// A response to a request the server never sends (stateless): nothing to answer.
    case response
    /// A JSON-RPC error to answer with at once.
    case invalid(JSONRPCError)

    /// The message in `body` (UTF-8 JSON).
    init(body: Data) {
        guard !body.isEmpty else {
            self = .invalid(JSONRPCError(.parseError, "empty request body"))
            return
        }
        // The envelope's members by name: no attempt to read the whole message as another kind.
        if let envelope = try? JSONCoding.decode(Envelope.self, from: body) {
            self.init(envelope: envelope.members)
            return
        }
        let value: JSONValue
        do {
            value = try JSONCoding.decode(JSONValue.self, from: body)
        } catch {
            self = .invalid(JSONRPCError(.parseError, "the body is not JSON: \(Self.describe(error))"))
            return
        }
        self.init(value)
    }

    /// A JSON-RPC object's members that matter here, as decoded.
    private struct Envelope: Decodable {
        var members: [String: JSONValue] = [:]

        enum CodingKeys: String, CodingKey, CaseIterable {
            case jsonrpc, id, method, params, result, error
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            for key in CodingKeys.allCases where container.contains(key) {
                members[key.rawValue] = try Self.decode(key, from: container)
            }
        }

        /// A member as a ``JSONValue``, trying first the kind it should be: a wrong guess is a
        /// thrown and discarded error, and an id (most often a number) and params (an object)
        /// would otherwise be tried as strings first.
        private static func decode(_ key: CodingKeys, from container: KeyedDecodingContainer<CodingKeys>) throws -> JSONValue {
            switch key {
            case .id:
                if let number = try? container.decode(Int.self, forKey: key) { return .int(number) }
            case .params, .result, .error:
                if let object = try? container.decode([String: JSONValue].self, forKey: key) { return .object(object) }
            case .jsonrpc, .method:
                break
            }
            return try container.decode(JSONValue.self, forKey: key)
        }
    }

    /// The message `value` is.
    public init(_ value: JSONValue) {
        switch value {
        case .object(let object):
            self.init(envelope: object)
        case .array:
            self = .invalid(JSONRPCError(.invalidRequest, "JSON-RPC batches are not supported; send one message per request"))
        default:
            self = .invalid(JSONRPCError(.invalidRequest, "expected a JSON-RPC object"))
        }
    }

    /// The message whose top-level object is `object`.
    private init(envelope object: [String: JSONValue]) {
        let id: JSONValue?
        switch object["id"] {
        case nil: id = nil
        case let value? where value.isRequestID: id = value
        default:
            self = .invalid(JSONRPCError(.invalidRequest, "id must be a string or an integer"))
            return
        }
        guard object["jsonrpc"] == .string("2.0") else {
            self = .invalid(JSONRPCError(.invalidRequest, "jsonrpc must be \"2.0\"", id: id))
            return
        }
        switch object["method"] {
        case .string(let method)?:
            let params = object["params"]
            switch params {
            case nil, .null?, .object?, .array?: break
            default:
                self = .invalid(JSONRPCError(.invalidRequest, "params must be an object", id: id))
                return
            }
            if let id {
                self = .request(id: id, method: method, params: params == .null ? nil : params)
            } else {
                self = .notification(method: method, params: params == .null ? nil : params)
            }
        case _?:
            self = .invalid(JSONRPCError(.invalidRequest, "method must be a string", id: id))
        case nil where id != nil && (object["result"] != nil || object["error"] != nil):
            self = .response
        case nil:
            self = .invalid(JSONRPCError(.invalidRequest, "expected a request, notification or response", id: id))
        }
    }

    /// The id of a request, or of the request an error answers when it could be read.
    public var requestID: JSONValue? {
        switch self {
        case .request(let id, _, _): id
        case .invalid(let error): error.id
        case .notification, .response: nil
        }
    }

    /// What the decoder found wrong, in a sentence.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        @unknown default:
            return "\(error)"
        }
    }
}

extension JSONValue {
    /// A JSON-RPC id the proxy answers: a string or an integer.
    fileprivate var isRequestID: Bool {
        switch self {
        case .string, .int: true
        default: false
        }
    }
}
