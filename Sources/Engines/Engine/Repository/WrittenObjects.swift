// WrittenObjects: the objects a running backup has stored, so a failure or an interrupt can remove them again,
// until the commit begins. From the moment the manifest may exist (ManifestCommit freezes the set before its
// PUT) nothing here deletes: deleting then could strip a committed, listed backup of its data.
import Catalog
import Foundation
import Pipeline
import Storage

final class WrittenObjects: @unchecked Sendable {
    // Guarded by `lock`: the signal handler's cleanup may run on another thread.
    private let lock = NSLock()
    private let store: BlobStore
    private var _committed: [CommittedObject] = []
    /// Writers begun and not yet recorded: one at a time, except for a parallel dump's uploads.
    private var _inFlight: [SealedObjectWriter] = []
    /// Set by `removeAll`: no new writer may start after the cleanup ran.
    private var _closed = false
    /// Set by `freeze` while the manifest may exist: `removeAll` deletes nothing.
    private var _frozen = false

    init(store: BlobStore) { self.store = store }

    /// Creates the next writer and registers it as in flight in one step under the lock. A writer creates its
    /// temporary file at once; if an interrupt's cleanup could run between creating and registering it, that
    /// file would be left behind. After `removeAll` or `freeze` it refuses to start another (interrupted).
    func begin(_ make: () throws -> SealedObjectWriter) throws -> SealedObjectWriter {
        try lock.withLock {
            guard !_closed, !_frozen else { throw PipelineError.aborted }
            let writer = try make()
            _inFlight.append(writer)
            return writer
        }
    }

    var committed: [CommittedObject] {
        get { lock.withLock { _committed } }
        set { lock.withLock { _committed = newValue } }
    }

    /// The newest writer in flight; setting nil forgets every writer in flight (after they were aborted).
    var inFlight: SealedObjectWriter? {
        get { lock.withLock { _inFlight.last } }
        set { lock.withLock { _inFlight = newValue.map { [$0] } ?? [] } }
    }

    /// Forgets one writer in flight (committed and recorded, or aborted), leaving the others of a parallel dump.
    func forget(_ writer: SealedObjectWriter) {
        lock.withLock { _inFlight.removeAll { $0 === writer } }
    }

    /// Commits the in-flight writer and records the object. Not under the lock: an interrupt must not wait for
    /// parts in flight. The writer stays registered until the object is recorded, and `removeAll` deletes an
    /// in-flight writer's key as well, so an object made visible just before the interrupt is not missed.
    func commit(_ writer: SealedObjectWriter) throws -> CommittedObject {
        let object = try writer.commit()
        lock.withLock {
            _committed.append(object)
            _inFlight.removeAll { $0 === writer }
        }
        return object
    }

    /// From now on the objects belong to a manifest that may exist: cleanup must leave them alone.
    func freeze() {
        lock.withLock { _frozen = true }
    }

    /// Runs a backup's work on these objects: an interrupt removes what it stored at once, a failure removes it
    /// afterwards (in both cases only until the commit freezes the set).
    func removingOnFailure<T>(_ work: () throws -> T) throws -> T {
        let token = Interruption.shared.register { [self] in removeAll(immediately: true) }
        defer { Interruption.shared.unregister(token) }
        do {
            return try work()
        } catch {
            removeAll()
            throw error
        }
    }

    /// The objects as a manifest lists them.
    var storedObjects: [StoredObject] {
        committed.map {
            StoredObject(
                name: $0.key.lastSegment, storedSize: $0.storedSize, sha256: $0.sha256,
                contentSize: $0.contentSize)
        }
    }

    /// The manifest is known not to exist (read back and absent): cleanup may remove the objects again.
    func thaw() {
        lock.withLock { _frozen = false }
    }

    func removeAll(immediately: Bool = false) {
        let taken = lock.withLock { () -> ([CommittedObject], [SealedObjectWriter])? in
            guard !_frozen else { return nil }
            _closed = true
            return (_committed, _inFlight)
        }
        guard let (objects, writers) = taken else { return }
        for writer in writers {
            writer.abort(immediately: immediately)
            try? store.delete(writer.key)  // committed but not yet recorded, if it got that far
        }
        for object in objects { try? store.delete(object.key) }
        lock.withLock { _committed = [] }
    }
}
