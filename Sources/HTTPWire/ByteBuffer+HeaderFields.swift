package import NIOCore
package import NIOHTTP1

extension ByteBuffer {
    /// Writes `headers` as `name: value` lines, unchecked: for heads the proxy makes itself, whose
    /// every field is its own (constants, configured values, encoded paths, checked tokens).
    package mutating func writeHeaderFields(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            writeString(name)
            writeStaticString(": ")
            writeString(value)
            writeStaticString("\r\n")
        }
    }

    /// The bytes ``writeHeaderFields(_:)`` writes for `headers`.
    package static func headerFieldsSize(_ headers: HTTPHeaders) -> Int {
        headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
    }
}
