import NIOCore

extension Duration {
    /// The same length of time as SwiftNIO's `amount`.
    init(_ amount: TimeAmount) {
        self = .nanoseconds(amount.nanoseconds)
    }
}
