// ClusterLock: the cluster's one-writer lock (RepositoryLock `cluster-<name>`) as every writing command takes it.
// Backups, pins and prune all hold it; it is also released when a signal interrupts the run, because a lock left
// behind by a live-looking process would refuse the next run until an operator removed it.
import Storage

final class ClusterLock {
    private let lock: RepositoryLock
    private let interruptToken: Int

    /// Takes the lock or throws `StoreError.locked` naming the holder.
    init(repository: Repository, cluster: String, command: String) throws {
        let lock = try RepositoryLock(store: repository.store, name: "cluster-\(cluster)", command: command)
        self.lock = lock
        interruptToken = Interruption.shared.register { lock.release() }
    }

    /// Forgets the interrupt cleanup, then releases the lock (idempotent).
    func release() {
        Interruption.shared.unregister(interruptToken)
        lock.release()
    }
}
