// lifeboat: the command-line entry point. Commands are thin: they parse, build a CommandContext, call an
// engine and print. Exit codes are mapped here, and only here: from errors (their exit status) and from the
// verdicts engines return.
import ArgumentParser
import Engine
import Foundation

@main
struct Lifeboat: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeboat",
        abstract: "PostgreSQL backups that prove they can be restored.",
        discussion: ExitCodes.helpText,
        version: EngineContext.toolVersion,
        subcommands: [
            InitCommand.self, KeyCommand.self, BackupCommand.self, ListCommand.self, ShowCommand.self,
            VerifyCommand.self, RestoreCommand.self, CheckCommand.self, WALCommand.self, StatusCommand.self,
            PruneCommand.self, PinCommand.self, UnpinCommand.self, DrillCommand.self, HeartbeatCommand.self,
            ReportCommand.self,
        ]
    )

    static func main() {
        Interruption.shared.install()
        let status: ExitStatus
        do {
            let arguments = GlobalOptionPlacement.normalized(Array(CommandLine.arguments.dropFirst()))
            var command = try WALFastPath.command(arguments) ?? parseAsRoot(arguments)
            try command.run()
            status = .success
        } catch {
            status = ExitCodes.report(error)
        }
        Interruption.shared.waitIfInterrupted()
        MetricsRecorder.shared.finish(status: status.rawValue)
        Foundation.exit(status.rawValue)
    }
}

/// The one place where errors become exit codes and messages (README.md "Exit codes").
enum ExitCodes {
    static let helpText = """
        EXIT CODES
          0  success
          1  operation failed
          2  invalid usage or configuration
          3  completed, but an objective or compliance rule is not met
          4  integrity failure: corrupt, truncated or tampered data, or a wrong key
          5  repository or cluster locked by another run
        """

    static func report(_ error: Error) -> ExitStatus {
        switch error {
        case let error as LifeboatError:
            printError("error: \(error.message)" + (error.hint.map { "\nHINT: \($0)" } ?? ""))
            return error.exitStatus
        case let outcome as CommandOutcome:
            return status(for: outcome.verdict)
        default:
            let code = Lifeboat.exitCode(for: error)
            let message = Lifeboat.fullMessage(for: error)
            if code == .success {
                print(message)  // --help and --version
                return .success
            }
            printError(message)
            return .usage
        }
    }

    /// A completed run's verdict as the process exit status.
    static func status(for verdict: Verdict) -> ExitStatus {
        switch verdict {
        case .passed: return .success
        case .objectiveNotMet: return .objectiveNotMet
        case .failed: return .failure
        case .integrityFailure: return .integrity
        case .error(let status): return status
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }
}

/// Thrown by a command that already printed its result when the engine's verdict is not `passed` (check,
/// status, drills, report, wal get): `ExitCodes` turns the verdict into the exit status.
struct CommandOutcome: Error {
    let verdict: Verdict
}
