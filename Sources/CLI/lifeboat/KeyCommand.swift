// lifeboat key …: key files and key slots. Slots wrap the repository's master key, so adding or removing
// access never re-encrypts data; `rotate` starts a new data key for new objects and keeps the old ones;
// `rotate --master` also replaces the master key, revoking removed slots for good.
import ArgumentParser
import Configuration
import Engine
import Foundation

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage key files and the repository's key slots.",
        subcommands: [Generate.self, Add.self, List.self, Remove.self, Rotate.self])

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a new random 256-bit key file (mode 0600); never overwrites.")
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
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add a key slot for another key file or passphrase.")
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
            let settings: EncryptionSettings =
                keyFile.map { .keyFile(path: $0) } ?? .passphraseEnvironment(name: passphraseEnv ?? "")
            let credential = try Credential.load(settings, environment: context.engine.environment)
            let slot = try repository.addSlot(
                unlockingWith: try context.credential(), for: credential, label: label, now: Date())
            CommandContext.recordKeySlots(try repository.slots().count)
            try context.emitJSON(KeySlotRow(slot))
            context.say("added key slot \(slot.id) for \(credential)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List key slots and data keys.")
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let context = try CommandContext(options, command: "key list")
            let (repository, keyring) = try context.unlockedRepository()
            let all = try repository.slots()
            let slots = all.filter(keyring.isLive).map(KeySlotRow.init)
            let stale = all.filter { !keyring.isLive($0) }.map(\.id)
            if options.json {
                Output.printJSON(
                    KeyListing(
                        slots: slots, staleSlots: stale, currentDataKey: keyring.currentKeyId,
                        dataKeys: keyring.dataKeyIds))
                return
            }
            context.say(
                Output.table(
                    [["SLOT", "KIND", "CREATED", "LABEL"]]
                        + slots.map { [$0.id, $0.kind, Output.timestamp($0.created), $0.label ?? ""] }))
            if !stale.isEmpty {
                context.say(
                    "\nstale slots (for another master key: they open nothing; a killed 'key rotate --master' is cleaned up by the "
                        + "next key change, anything else is a copy or damage, see 'lifeboat key remove'): "
                        + stale.joined(separator: ", "))
            }
            context.say("\ndata keys: \(keyring.dataKeyIds.count), current \(keyring.currentKeyId)")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a key slot (never the last one, never your own only one).",
            discussion:
                "The master key stays as it was: whoever kept a copy of the slot and its secret still opens the keyring. "
                + "'lifeboat key rotate --master' revokes them.")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Slot id, as shown by 'lifeboat key list'.") var slot: String

        func run() throws {
            let context = try CommandContext(options, command: "key remove")
            let repository = try context.openRepository()
            try repository.removeSlot(id: slot, unlockingWith: try context.credential())
            CommandContext.recordKeySlots(try repository.slots().count)
            try context.emitJSON(["removed": slot])
            context.say("removed key slot \(slot)")
            // Said every time: operators expect removal to revoke, and it does not until the master key changes.
            context.say(
                "the master key is unchanged: whoever kept this slot's object and its secret still opens the keyring; "
                    + "run 'lifeboat key rotate --master' with the remaining slots' credentials to revoke it (runbooks/key-rotation.md)"
            )
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Start a new data key for new backups; old backups stay readable.",
            discussion: """
                With --master, also replace the master key, so that removed slots' files and passphrases open \
                nothing any more. Every remaining slot is rewrapped, which needs its credential: the configured one, \
                plus --key-file / --passphrase-env for each other slot (remove slots that should lose access first). \
                Slot ids change; labels stay. Data is not re-encrypted.
                """)
        @OptionGroup var options: GlobalOptions
        @Flag(name: .long, help: "Also replace the master key and rewrap every remaining slot.") var master = false
        @Option(name: .long, help: "With --master: the key file of another slot that keeps access (repeat for each).")
        var keyFile: [String] = []
        @Option(
            name: .long,
            help: "With --master: the environment variable holding another slot's passphrase (repeat for each).")
        var passphraseEnv: [String] = []

        func validate() throws {
            guard master || (keyFile.isEmpty && passphraseEnv.isEmpty) else {
                throw ValidationError(
                    "--key-file and --passphrase-env name the credentials of slots that keep access: they go with --master"
                )
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "key rotate")
            let repository = try context.openRepository()
            guard master else {
                let rotated = try repository.rotateDataKey(unlockingWith: try context.credential(), now: Date())
                try context.emitJSON(["current_data_key": rotated.currentKeyId])
                context.say(
                    "new data key \(rotated.currentKeyId) is current; \(rotated.dataKeyIds.count) data keys in the keyring"
                )
                return
            }
            let environment = context.engine.environment
            let others =
                try keyFile.map { try Credential.load(.keyFile(path: $0), environment: environment) }
                + passphraseEnv.map { try Credential.load(.passphraseEnvironment(name: $0), environment: environment) }
            let rotation = try repository.rotateMasterKey(
                unlockingWith: try context.credential(), keeping: others, now: Date())
            CommandContext.recordKeySlots(try repository.slots().count)  // stale slots a killed run left are gone now
            try context.emitJSON(MasterRotationRow(rotation))
            for item in rotation.slots {
                context.say(
                    "key slot \(item.previous.id) is now \(item.current.id) (\(item.current.kind.rawValue)\(item.current.label.map { ", \($0)" } ?? ""))"
                )
            }
            context.say(
                "new master key; new data key \(rotation.keyring.currentKeyId) is current; \(rotation.keyring.dataKeyIds.count) data keys in the keyring"
            )
            context.say(
                "on a versioned bucket, old versions of keys/ still hold the old master key: delete them (runbooks/key-rotation.md)"
            )
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
    var staleSlots: [String]
    var currentDataKey: String
    var dataKeys: [String]
}

/// `key rotate --master --json`: each rewrapped slot with the id it replaces, and the keyring's data keys.
struct MasterRotationRow: Codable {
    struct Slot: Codable {
        var id: String
        var previousId: String
        var kind: String
        var label: String?
        var created: Date
        var kdf: String
    }
    var slots: [Slot]
    var currentDataKey: String
    var dataKeys: [String]

    init(_ rotation: MasterKeyRotation) {
        slots = rotation.slots.map { item in
            let row = KeySlotRow(item.current)
            return Slot(
                id: row.id, previousId: item.previous.id, kind: row.kind, label: row.label, created: row.created,
                kdf: row.kdf)
        }
        currentDataKey = rotation.keyring.currentKeyId
        dataKeys = rotation.keyring.dataKeyIds
    }
}
