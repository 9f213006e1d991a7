import YAML

extension ConfigValidator {
    /// `confirm`: tool names, each known.
    mutating func checkedConfirm(_ list: [Located<String>]?) -> Set<ToolName> {
        var tools = Set<ToolName>()
        for tool in list ?? [] {
            if let known = ToolName(rawValue: tool.value) {
                tools.insert(known)
                if known != .logoutUser {
                    warn(tool, "\(known.rawValue) changes nothing, so it never asks for a confirmation; only logout_user does")
                }
            } else {
                fail(tool, "unknown tool \"\(tool.value)\"" + suggestion(tool.value, among: ToolName.allCases.map(\.rawValue)))
            }
        }
        return tools
    }
}
