/// Why bytes are not an HTTP/1.1 message, in a few words for a person.
package struct HTTPSyntaxError: Error, Equatable, Sendable {
    package let reason: String

    package init(_ reason: String) {
        self.reason = reason
    }
}
