// lifeboat key …: key files and key slots. Slots wrap the repository's master key, so adding or removing
// access never re-encrypts data; `rotate` starts a new data key for new objects and keeps the old ones.
import ArgumentParser
import Catalog
import Configuration
import Engine
import Foundation

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage key files and the repository's key slots.",
        subcommands: [Generate.self, Add.self, List.self, Remove.self, Rotate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a new random 256-bit key file (mode 0600); never overwrites.")
        @OptionGroup var options: GlobalOptions
        @Option(name: .long, help: "Where to write the key file.") var output: String

        func run() throws {
            try KeyFile.generate(path: output)
            if options.json {
                Output.printJSON(["key_file": output])
            } else if !options.quiet {
                print("wrote key file \(output) (mode 0600); keep a copy offline")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a key slot for another key file or passphrase.")
        @OptionGroup var options: GlobalOptions
        @Option(name: .long, help: "Key file the new slot opens with.") var keyFile: String?
        @Option(name: .long, help: "Environment variable holding the new slot's passphrase.") var passphraseEnv: String?
        @Option(name: .long, help: "A label for the slot.") var label: String?

        func validate() throws {
            guard (keyFile == nil) != (passphraseEnv == nil) else {
                throw ValidationError("pass exactly one of --key-file FILE or --passphrase-env VARIABLE")
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "key add")
            let repository = try context.openRepository()
            let settings: EncryptionSettings = keyFile.map { .keyFile(path: $0) } ?? .passphraseEnvironment(name: passphraseEnv ?? "")
            let credential = try Credential.load(settings, environment: context.engine.environment)
            let slot = try repository.addSlot(unlockingWith: try context.credential(), for: credential, label: label, now: Date())
            CommandContext.recordKeySlots(try repository.slots().count)
            try context.emitJSON(KeySlotRow(slot))
            context.say("added key slot \(slot.id) for \(credential)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List key slots and data keys.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let context = try CommandContext(options, command: "key list")
            let (repository, keyring) = try context.unlockedRepository()
            let slots = try repository.slots().map(KeySlotRow.init)
            if options.json {
                Output.printJSON(KeyListing(slots: slots, currentDataKey: keyring.currentKeyId, dataKeys: keyring.dataKeyIds))
                return
            }
            context.say(Output.table([["SLOT", "KIND", "CREATED", "LABEL"]]
                + slots.map { [$0.id, $0.kind, Output.timestamp($0.created), $0.label ?? ""] }))
            context.say("\ndata keys: \(keyring.dataKeyIds.count), current \(keyring.currentKeyId)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a key slot (never the last one, never your own only one).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Slot id, as shown by 'lifeboat key list'.") var slot: String

        func run() throws {
            let context = try CommandContext(options, command: "key remove")
            let repository = try context.openRepository()
            try repository.removeSlot(id: slot, unlockingWith: try context.credential())
            CommandContext.recordKeySlots(try repository.slots().count)
            try context.emitJSON(["removed": slot])
            context.say("removed key slot \(slot)")
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a new data key for new backups; old backups stay readable.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let context = try CommandContext(options, command: "key rotate")
            let repository = try context.openRepository()
            let rotated = try repository.rotateDataKey(unlockingWith: try context.credential(), now: Date())
            try context.emitJSON(["current_data_key": rotated.currentKeyId])
            context.say("new data key \(rotated.currentKeyId) is current; \(rotated.dataKeyIds.count) data keys in the keyring")
        }
    }
}

struct KeySlotRow: Codable {
    var id: String
    var kind: String
    var label: String?
    var created: Date
    var kdf: String

    init(_ slot: KeySlot) {
        id = slot.id
        kind = slot.kind.rawValue
        label = slot.label
        created = slot.created
        kdf = slot.kdf.algorithm
    }
}

struct KeyListing: Codable {
    var slots: [KeySlotRow]
    var currentDataKey: String
    var dataKeys: [String]
}
