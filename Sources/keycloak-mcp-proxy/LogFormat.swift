import ArgumentParser

/// `--log-format`: lines for people, or one JSON object per line for log pipelines.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}
