// lifeboat check: configuration, PostgreSQL connectivity and client tools, repository access and key, each
// with a hint when it fails. Exit status is that of the first failure.
import ArgumentParser
import Diagnostics
import Engine
import Foundation

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Check configuration, database, tools, repository and key.")

    @OptionGroup var options: GlobalOptions

    struct Item: Codable {
        var check: String
        var ok: Bool
        var detail: String
        var hint: String?
    }

    func run() throws {
        let context = try CommandContext(options, command: "check")
        var items = [Item(check: "configuration", ok: true, detail: context.config.sourcePath)]
        var firstFailure: ExitStatus?
        func record(_ name: String, _ body: () throws -> String) {
            do {
                items.append(Item(check: name, ok: true, detail: try body()))
            } catch {
                let failure = error as? LifeboatError
                items.append(Item(check: name, ok: false, detail: failure?.message ?? "\(error)", hint: failure?.hint))
                firstFailure = firstFailure ?? failure?.exitStatus ?? .failure
            }
        }
        let health = HealthCheck(context: context.engine)
        record("postgresql") { try health.postgres() }
        record("client tools") { try health.tools() }
        record("repository") { try health.repository() }
        record("key") { try health.key() }
        try context.emitJSON(items)
        for item in items {
            context.say("\(item.ok ? "ok  " : "FAIL") \(item.check): \(item.detail)" + (item.hint.map { "\n     HINT: \($0)" } ?? ""))
        }
        if let firstFailure { throw CommandOutcome(status: firstFailure) }
    }
}
