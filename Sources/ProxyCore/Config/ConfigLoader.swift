import YAML

/// Reads, decodes and validates a config file into a ``ProxyConfig``, or reports every problem
/// in it at once, each with its file, line, column and key path.
///
/// Loading is pure apart from reading the files the config names (`*_file` secrets, TLS
/// files): the environment is passed in, nothing is fetched.
public struct ConfigLoader: Sendable {
    /// What `${NAME}` reads.
    public var environment: [String: String]
    public var files: FileAccess
    /// Config files larger than this are refused before they are parsed.
    public var maxFileSize: Int

    public init(environment: [String: String], files: FileAccess = .disk, maxFileSize: Int = 32 << 20) {
        self.environment = environment
        self.files = files
        self.maxFileSize = maxFileSize
    }

    /// A loaded config and the warnings about it (things that work but are likely mistakes).
    public struct Loaded: Sendable {
        public var config: ProxyConfig
        public var warnings: [ConfigError]
    }

    /// Loads the file at `path`. Relative paths inside it are taken from the file's directory.
    public func load(path: String) throws(ConfigErrors) -> Loaded {
        let bytes: [UInt8]
        do {
            bytes = try files.read(path, maxFileSize)
        } catch {
            throw ConfigErrors([ConfigError(file: path, mark: .start, path: "", message: "cannot read the config file: \(error.reason)")])
        }
        return try load(bytes: bytes, fileName: path, directory: Self.directory(of: path))
    }

    /// Loads config text; `fileName` names it in errors, `directory` anchors relative paths.
    public func load(bytes: [UInt8], fileName: String, directory: String) throws(ConfigErrors) -> Loaded {
        // Parsed and decoded where what is freed after the load does not share pages with what
        // stays (the validated config, built on this thread; see HeapOfItsOwn).
        let parsed = HeapOfItsOwn.run { [environment] in Self.parse(bytes, environment: environment) }
        let parseProblems: [YAMLError]
        let file: ConfigFile
        let decodingErrors: [YAMLError]
        switch parsed {
        case .unreadable(let errors):
            throw ConfigErrors(errors.map { ConfigError(file: fileName, $0) })
        case .undecodable(let problems):
            throw ConfigErrors(Self.inFileOrder(problems.map { ConfigError(file: fileName, $0) }))
        case .decoded(let decoded, let parsing, let decoding):
            (file, parseProblems, decodingErrors) = (decoded, parsing, decoding)
        }
        var errors = Self.problems(parsing: parseProblems, decoding: decodingErrors).map { ConfigError(file: fileName, $0) }

        // Validate even a file with decoding errors, so one run names every mistake; skip what
        // validation says about values decoding already reported (or left as placeholders).
        var validator = ConfigValidator(fileName: fileName, directory: directory, files: files)
        let config = validator.validate(file)
        let reported = Set((parseProblems + decodingErrors).map(\.mark))
        errors += validator.errors.filter { !reported.contains($0.mark) && !($0.mark == .start && $0.path.isEmpty) }
        guard errors.isEmpty, let config else {
            throw ConfigErrors(Self.inFileOrder(errors))
        }
        return Loaded(config: config, warnings: validator.warnings)
    }

    /// What parsing and decoding made of a file.
    private enum Parsed {
        /// libyaml could not get past these.
        case unreadable([YAMLError])
        /// Decoding gave no value; every problem found, parser's and decoder's.
        case undecodable([YAMLError])
        case decoded(ConfigFile, parsing: [YAMLError], decoding: [YAMLError])
    }

    /// Parses and decodes. What libyaml cannot get past ends the list here; everything else the
    /// parser steps over (a duplicate key, say) is reported with what decoding and validation find.
    private static func parse(_ bytes: [UInt8], environment: [String: String]) -> Parsed {
        let root: Node
        let parseProblems: [YAMLError]
        do throws(YAMLErrors) {
            let (node, problems) = try YAMLParser().parseCollecting(bytes: bytes)
            guard let node else {
                return .unreadable(problems + [YAMLError(mark: .start, message: "the file is empty; expected a mapping of settings")])
            }
            (root, parseProblems) = (node, problems)
        } catch {
            return .unreadable(error.errors)
        }
        let decoder = YAMLDecoder(environment: environment, extensionKeyPrefix: "x-")
        let (file, decodingErrors) = decoder.decodeCollecting(ConfigFile.self, from: root)
        guard let file else { return .undecodable(problems(parsing: parseProblems, decoding: decodingErrors)) }
        return .decoded(file, parsing: parseProblems, decoding: decodingErrors)
    }

    /// A decoding error where the parser already reported one (the empty value an alias to no
    /// anchor stands for) says the same thing again.
    private static func problems(parsing: [YAMLError], decoding: [YAMLError]) -> [YAMLError] {
        let parsedMarks = Set(parsing.map(\.mark))
        return parsing + decoding.filter { !parsedMarks.contains($0.mark) }
    }

    private static func inFileOrder(_ errors: [ConfigError]) -> [ConfigError] {
        errors.enumerated().sorted { ($0.element.mark, $0.offset) < ($1.element.mark, $1.offset) }.map(\.element)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
