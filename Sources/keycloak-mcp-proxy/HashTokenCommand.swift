import ArgumentParser
import Crypto
import Foundation

/// `hash-token [--generate]`: the `token_sha256` line for an agent's bearer token, so that the
/// config holds only the hash.
///
/// Standard output carries only the config line, in both modes, so it can be piped or pasted.
/// With `--generate` the new token is printed once, on standard error, for the agent's owner.
struct HashTokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-token",
        abstract: "Print the token_sha256 line for an agent's bearer token.",
        discussion: """
            Reads the token from standard input (one line; a trailing newline is dropped) and \
            prints `token_sha256: "<hex>"` on standard output, to paste under agents.NAME. \
            With --generate it makes a new random token instead (256 bits, base64url), prints \
            it once on standard error, and the config line on standard output. The token is \
            stored nowhere.
            """
    )

    /// The shortest token accepted: the same floor as `agents.NAME.token` in the config.
    static let minimumLength = 16

    @Flag(name: .long, help: "Generate a new random token instead of reading one.")
    var generate = false

    func run() throws {
        let token: String
        if generate {
            token = Self.randomToken()
            StandardError.print("token: \(token)")
            StandardError.print("Give this token to the agent now; it is not stored anywhere. The config needs only the line below.")
        } else {
            switch Self.token(from: FileHandle.standardInput.readDataToEndOfFile()) {
            case .success(let read): token = read
            case .failure(let problem):
                StandardError.print("keycloak-mcp-proxy hash-token: \(problem.message)")
                throw ExitCode(1)
            }
        }
        print("token_sha256: \"\(Self.sha256Hex(token))\"")
    }

    struct Problem: Error {
        var message: String
    }

    /// The token in `input`: one line, without its line ending. Never echoes the input.
    static func token(from input: Data) -> Result<String, Problem> {
        var text = String(decoding: input, as: UTF8.self)
        // "\r\n" is one Character: either ending goes with one removeLast().
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        if text.isEmpty {
            return .failure(Problem(message: "no token on standard input; pipe one in, or use --generate"))
        }
        if text.contains(where: \.isNewline) {
            return .failure(Problem(message: "standard input holds more than one line; give one token per run"))
        }
        if text.count < minimumLength {
            return .failure(Problem(message: "a bearer token needs at least \(minimumLength) characters; use --generate for a strong one"))
        }
        return .success(text)
    }

    /// 32 bytes from the system's cryptographic generator, as unpadded base64url (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func sha256Hex(_ token: String) -> String {
        SHA256.hash(data: Array(token.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
