// S3ReplacedObjectTests: the keys `wal receive` rewrites every few seconds (docs/format.md §8.7) are uploaded
// without Object Lock, which would keep every superseded version; everything else of the WAL archive keeps it.
import Storage
import XCTest

@testable import S3

final class S3ReplacedObjectTests: XCTestCase {
    func testOnlyPartialsAndTheReceiverStateAreReplacedOften() throws {
        for key in ["wal/main/partial/000000010000000000000003.lbx", "wal/main/receiver.lbx"] {
            XCTAssertTrue(S3Store.isReplacedOften(try ObjectKey(key)), key)
        }
        for key in [
            "wal/main/00000001/000000010000000000000003.meta.lbx", "wal/main/system-identifier.lbx",
            "wal/main/00000001/partial", "backups/main/partial/x.lbx",
            "wal/main/history/00000002.history.meta.lbx",
        ] {
            XCTAssertFalse(S3Store.isReplacedOften(try ObjectKey(key)), key)
        }
    }
}
