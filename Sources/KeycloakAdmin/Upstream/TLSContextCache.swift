import NIOSSL
import Synchronization

/// A tenant's TLS context, made at its first connection and kept. Making one loads the trust
/// store (about 1 MiB and several milliseconds each): a config of a thousand https tenants must
/// not do that at startup, nor keep a thousand copies of the system's trust store.
final class TLSContextCache: Sendable {
    /// The one context of every tenant without `tls` settings: the system's trust store, no
    /// client identity.
    static let systemTrust = TLSContextCache(.makeClientConfiguration())

    private let configuration: TLSConfiguration
    private let made = Mutex<NIOSSLContext?>(nil)

    init(_ configuration: TLSConfiguration) {
        self.configuration = configuration
    }

    /// The context; the first call makes it.
    func context() throws -> NIOSSLContext {
        try made.withLock { made in
            if let made { return made }
            let context = try NIOSSLContext(configuration: configuration)
            made = context
            return context
        }
    }
}
