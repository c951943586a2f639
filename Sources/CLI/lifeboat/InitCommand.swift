// lifeboat init: create the repository (descriptor, keyring, first key slot); refuses an existing one.
import ArgumentParser
import Engine
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create the repository named by repository.url, protected by the configured key file or passphrase.")

    @OptionGroup var options: GlobalOptions

    struct Result: Codable {
        var repository: String
        var keySlot: String
        var slotKind: String
        var created: Date
    }

    func run() throws {
        let context = try CommandContext(options, command: "init")
        let credential = try context.credential()
        let immutability = try context.policies.policyIfConfigured()?.immutability
        let (repository, slot) = try Repository.create(
            context.config.repository, environment: context.engine.environment,
            credential: credential, now: Date(), immutability: immutability,
            logger: context.engine.logger)
        let result = Result(
            repository: repository.location, keySlot: slot.id, slotKind: slot.kind.rawValue, created: slot.created)
        try context.emitJSON(result)
        context.say("created repository \(repository.location) (key slot \(slot.id), \(credential))")
        context.say("keep a copy of the key file or passphrase somewhere safe: without it no backup can be read")
    }
}
