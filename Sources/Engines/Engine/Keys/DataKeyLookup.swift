// DataKeyLookup: finds the data key an object's header names, reading the keyring again when the keyring this
// process unlocked does not hold it. `key rotate` appends data keys and nothing ever removes one, so a run that
// outlives a rotation (a snapshot waiting for its WAL, a drill, `wal get` prefetching) meets objects sealed under
// a key added after it unlocked; without a second look that is a false "unknown key" integrity failure (exit 4).
// Each unknown id is looked up again at most once, so an object naming a forged id costs one keyring read.
import Cipher
import Foundation

final class DataKeyLookup: @unchecked Sendable {
    // `keys` and `lookedAgain` are guarded by `mutex`: pipeline threads look keys up concurrently.
    private let mutex = NSLock()
    private var keys: [String: [UInt8]]
    private var lookedAgain: Set<String> = []
    private let reload: (@Sendable () -> [String: [UInt8]]?)?

    /// `reload` unlocks the keyring as it is now and returns its data keys, or nil when it cannot.
    init(keys: [String: [UInt8]], reload: (@Sendable () -> [String: [UInt8]]?)?) {
        self.keys = keys
        self.reload = reload
    }

    func key(for id: [UInt8]) -> [UInt8]? {
        let hex = Hex.encode(id)
        mutex.lock()
        defer { mutex.unlock() }
        if let key = keys[hex] { return key }
        guard let reload, lookedAgain.insert(hex).inserted, let fresh = reload() else { return nil }
        keys.merge(fresh) { known, _ in known }
        return keys[hex]
    }
}
