// S3TransferShare: how many ranges ahead (downloads) or parts in flight (uploads) each object transfer of one
// store may have. `repository.parallel` is a budget for the store, not for each object: one transfer alone gets
// all of it (memory (parallel + 1) × part size, as before), and transfers running at once share it, each keeping
// at least one request in flight so none stalls. A `restore --jobs 2` (two dump files streamed at once) or a
// parallel backup's uploaders then hold about (parallel + transfers) × part size together instead of
// transfers × (parallel + 1) × part size, which with 16 MiB parts broke the 128 MiB bound.
import Foundation

final class S3TransferShare: @unchecked Sendable {
    // `active` is guarded by `lock`.
    private let lock = NSLock()
    private var active = 0
    let parallel: Int

    init(parallel: Int) { self.parallel = max(parallel, 1) }

    func begin() { lock.withLock { active += 1 } }
    func end() { lock.withLock { active = max(active - 1, 0) } }

    /// Requests in flight one transfer may have now.
    var depth: Int { lock.withLock { max(1, parallel / max(active, 1)) } }
}
