/// Where a realm's RSA keys come from (``EmulatorConfiguration/issuerKeys``).
///
/// An RSA 2048 key takes 100 to 350 ms to make in a debug build (a median of 220 ms measured
/// on a 2-core machine), and a test run starts hundreds of emulators, each needing a key for
/// the first token it issues.
public enum IssuerKeyPolicy: Sendable, Hashable {
    /// The n-th RSA key an emulator needs (signing, encryption or rotated) is the n-th key of
    /// the process, made once and reused by every emulator. The keys of one emulator all
    /// differ, but two emulators share keys: a token one emulator signs verifies against the
    /// other's JWKS (its `iss` still differs).
    case sharedAcrossEmulators
    /// Every key made for this emulator alone; no other emulator in the process has it. For
    /// tests where one emulator's issuer must not accept another's signatures.
    case unique
}
