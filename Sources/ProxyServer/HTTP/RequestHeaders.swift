import HTTPWire
import NIOCore

/// A request's header fields as they came: the head's bytes and where each field lies in
/// them. A value becomes a `String` only when asked for, and names are compared byte by byte
/// ignoring case; building every name and value as strings cost more than reading the few
/// the proxy looks at.
struct RequestHeaders: Sendable {
    /// The head, request line included (the field ranges index it).
    private let head: ByteBuffer
    private let fields: [HeaderField]

    init(head: ByteBuffer, fields: [HeaderField]) {
        self.head = head
        self.fields = fields
    }

    /// The first value of the fields named `name` (lower case), if any.
    func first(name: StaticString) -> String? {
        withFirst(named: name) { String(decoding: $0, as: UTF8.self) }
    }

    /// `body` applied to the first value of the fields named `name` (lower case); nil when none.
    func withFirst<T>(named name: StaticString, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        head.withUnsafeReadableBytes { bytes in
            for field in fields where HTTPSyntax.matches(UnsafeRawBufferPointer(rebasing: bytes[field.name]), name) {
                return body(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
            }
            return nil
        }
    }

    /// Whether any field named `name` (lower case) has a value for which `test` holds; `test`
    /// is not called when there is no such field (then the answer is nil).
    func anyValue(named name: StaticString, where test: (UnsafeRawBufferPointer) -> Bool) -> Bool? {
        head.withUnsafeReadableBytes { bytes in
            var found = false
            for field in fields where HTTPSyntax.matches(UnsafeRawBufferPointer(rebasing: bytes[field.name]), name) {
                if test(UnsafeRawBufferPointer(rebasing: bytes[field.value])) { return true }
                found = true
            }
            return found ? false : nil
        }
    }
}
