extension Secret: Decodable {
    /// Reads a secret from a single string; a decoding error never contains the value.
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}
