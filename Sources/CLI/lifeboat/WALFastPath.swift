// WALFastPath: `wal get` and `wal push` as PostgreSQL runs them (restore_command, archive_command: one process
// per WAL file) skip ArgumentParser's parse of the whole command tree. When the arguments have the simple shape
// (WALCommandLine) and pass the command's own validate(), the command value is built directly and its run() is
// the one the parsed command would run: the same behaviour, output and exit codes. Anything else returns nil and
// goes through ArgumentParser, which owns every usage message.
import ArgumentParser
import Engine

enum WALFastPath {
    static func command(_ arguments: [String]) -> ParsableCommand? {
        guard let line = WALCommandLine(arguments), let options = globalOptions(line) else { return nil }
        var command: ParsableCommand
        switch line.subcommand {
        case .get:
            var get = WALCommand.Get()
            get.options = options
            get.name = line.positionals[0]
            get.destination = line.positionals[1]
            command = get
        case .push:
            var push = WALCommand.Push()
            push.options = options
            push.path = line.positionals[0]
            command = push
        }
        // A refusal is ArgumentParser's to word (with the usage text and its exit status).
        guard (try? command.validate()) != nil else { return nil }
        return command
    }

    /// Every property set, as ArgumentParser would set it: a property left unset cannot be read.
    static func globalOptions(_ line: WALCommandLine) -> GlobalOptions? {
        var options = GlobalOptions()
        options.config = line.values["config"]
        guard let format = LogFormat(rawValue: line.values["log-format"] ?? LogFormat.text.rawValue) else { return nil }
        options.logFormat = format
        options.metricsFile = line.values["metrics-file"]
        options.json = line.flags.contains("json")
        options.quiet = line.flags.contains("quiet")
        options.noProgress = line.flags.contains("no-progress")
        return options
    }
}
