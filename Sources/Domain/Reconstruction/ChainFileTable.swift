// ChainFileTable: the relation files of a chain restore that are still incomplete, by directory root and path.
// Only those cost memory: a file the newest backup holds whole, or whose blocks are all in place, is not
// tracked, and an older backup's entry for a file not tracked here is skipped (it is complete, or only older
// backups have it, and then it is not restored). A file is tracked from the newest backup's delta until it is
// complete or an older backup's whole copy supplied it.
public struct ChainFileTable: Sendable {
    public struct Key: Hashable, Sendable {
        /// Which directory tree: the data directory's or a tablespace's.
        public let root: String
        /// The path under it, names joined by "/".
        public let path: String

        public init(root: String, path: String) {
            self.root = root
            self.path = path
        }
    }

    private var files: [Key: BlockMap] = [:]
    /// Files an entry of the backup being read has already applied to.
    private var touched: Set<Key> = []

    public init() {}

    /// Starts the next (older) backup of the chain.
    public mutating func beginBackup() {
        touched = []
    }

    /// A file the newest backup stores as a delta. Tracked only while something older may still supply blocks.
    public mutating func track(_ key: Key, map: BlockMap) {
        if !map.isComplete { files[key] = map }
    }

    public func isTracked(_ key: Key) -> Bool { files[key] != nil }

    /// Claims `key` for one entry of the current backup: a backup holding a file twice is corrupt.
    public mutating func claim(_ key: Key) throws {
        guard touched.insert(key).inserted else {
            throw DeltaEntryError("'\(key.path)' appears twice in one backup")
        }
    }

    /// The file's length in blocks (the newest delta's L) while it is tracked.
    public func length(_ key: Key) -> Int? { files[key]?.length }

    public func needs(_ key: Key, block: Int) -> Bool {
        files[key]?.needs(block) ?? false
    }

    public mutating func markWritten(_ key: Key, block: Int) {
        files[key]?.markWritten(block)
    }

    /// After an older delta of `key`: lowers its limit, and forgets the file once complete.
    public mutating func finishDelta(_ key: Key, truncation: Int) {
        files[key]?.lowerLimit(to: truncation)
        if files[key]?.isComplete == true { files[key] = nil }
    }

    /// After an older whole copy of `key`: nothing further back is looked at (a whole copy is the file as it was
    /// then; blocks it lacks that no newer backup wrote are zeros).
    public mutating func finishWhole(_ key: Key) {
        files[key] = nil
    }

    /// Moves the part of the table under `root` out into a table of its own: each root's files are only ever
    /// looked up under that root, so the roots of one backup can be applied in parallel, each with its part, and
    /// the parts merged back afterwards.
    public mutating func take(root: String) -> ChainFileTable {
        var part = ChainFileTable()
        part.files = files.filter { $0.key.root == root }
        part.touched = touched.filter { $0.root == root }
        files = files.filter { $0.key.root != root }
        touched = touched.filter { $0.root != root }
        return part
    }

    /// Puts back a part `take` moved out (and what was applied to it meanwhile).
    public mutating func merge(_ part: ChainFileTable) {
        files.merge(part.files) { _, theirs in theirs }
        touched.formUnion(part.touched)
    }

    /// Incomplete files under `root`: when none, older backups' objects for it need not be read at all.
    public func remaining(root: String) -> Int {
        files.keys.reduce(0) { $0 + ($1.root == root ? 1 : 0) }
    }

    public var remaining: Int { files.count }
}
