/// Hexadecimal text of `byteCount` bytes from the system's random generator: for values that
/// must not be guessed (confirmation ids, the demo's secrets). Request ids are not such values.
public enum RandomHex {
    public static func make(byteCount: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = ""
        text.reserveCapacity(byteCount * 2)
        for _ in 0..<byteCount {
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            text += String(byte >> 4, radix: 16) + String(byte & 0xF, radix: 16)
        }
        return text
    }
}
