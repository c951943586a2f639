// Repository+BackupObject: how every backup object starts, for dumps streamed from a tool (ToolStream) and
// archives received from BASE_BACKUP alike: under the backup's directory, sealed with the current data key,
// compressed as configured, tracked by the backup's WrittenObjects (so a failure or a signal removes it), and
// announced to the `backup.object.before` failpoint before anything is written.
import ArchiveIO
import Catalog
import Diagnostics
import Pipeline
import Storage

extension Repository {
    func beginBackupObject(
        _ objectName: String, of id: BackupID, context: EngineContext, keyring: Keyring,
        compression: ArchiveCompression, threads: Int, written: WrittenObjects
    ) throws -> SealedObjectWriter {
        let key = try ObjectKey(RepositoryLayout.object(cluster: context.config.cluster, id: id, name: objectName))
        try Failpoint.hit("backup.object.before")
        return try written.begin {
            try SealedObjectWriter(
                store: store, key: key, sealingKey: keyring.current, compression: compression,
                level: context.config.compression.level, compressionThreads: threads)
        }
    }
}
