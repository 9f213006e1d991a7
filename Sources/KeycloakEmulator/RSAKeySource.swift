import CryptoExtras
import Dispatch
import JWTKit
import Synchronization

/// Makes RSA 2048 keys on a Dispatch thread (never on a thread running Swift tasks or an event
/// loop), and keeps the process-wide sequence ``IssuerKeyPolicy/sharedAcrossEmulators`` hands out.
enum RSAKeySource {
    /// The process's `index`-th shared key; made once, by the first caller to ask for it, while
    /// any others asking wait for it.
    static func shared(_ index: Int) async -> JWTKit.Insecure.RSA.PrivateKey {
        let task = sequence.withLock { tasks in
            while tasks.count <= index { tasks.append(Task { await fresh() }) }
            return tasks[index]
        }
        return await task.value
    }

    /// A key no one else has.
    static func fresh() async -> JWTKit.Insecure.RSA.PrivateKey {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(returning: generate())
            }
        }
    }

    private static let sequence = Mutex<[Task<JWTKit.Insecure.RSA.PrivateKey, Never>]>([])

    /// BoringSSL fails to make a key only when out of memory, and jwt-kit refuses only keys
    /// under 2048 bits: neither can happen here.
    private static func generate() -> JWTKit.Insecure.RSA.PrivateKey {
        do {
            return try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        } catch {
            preconditionFailure("RSA 2048 key generation failed: \(error)")
        }
    }
}
