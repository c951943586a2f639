// GlobalOptionPlacement: users write global options before the command (`lifeboat --config F backup`), as
// with git or kubectl, but ArgumentParser only parses a subcommand's options after its name. Global options
// found before the first command word are moved to the end of the arguments (before a `--`, if any).
enum GlobalOptionPlacement {
    static let valued: Set<String> = ["--config", "--log-format", "--metrics-file"]
    static let flags: Set<String> = ["--json", "--quiet", "--no-progress"]

    static func normalized(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            if flags.contains(argument) || (valued.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        var rest = Array(arguments[index...])
        let insertion = rest.firstIndex(of: "--") ?? rest.count
        rest.insert(contentsOf: leading, at: insertion)
        return rest
    }
}
