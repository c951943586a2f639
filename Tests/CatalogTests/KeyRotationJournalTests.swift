import Catalog
import Foundation
import XCTest

final class KeyRotationJournalTests: XCTestCase {
    let journal = KeyRotationJournal(
        previousMasterKeyId: "aa", masterKeyId: "bb", replaced: ["00000001", "00000002"],
        written: ["0000000a", "0000000b"])

    /// A killed master-key rotation loses exactly one side: its new slots before the commit, its old ones after.
    func testTheLosingSideFollowsTheKeyringsMasterKey() {
        XCTAssertEqual(journal.slotsToDelete(keyringMasterKeyId: "bb"), ["00000001", "00000002"], "committed")
        XCTAssertEqual(journal.slotsToDelete(keyringMasterKeyId: "aa"), ["0000000a", "0000000b"], "not committed")
        XCTAssertNil(journal.slotsToDelete(keyringMasterKeyId: "cc"), "a journal of another keyring deletes nothing")
    }

    func testJSONShape() throws {
        let data = try CatalogCoding.encoder().encode(journal)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["version", "previous_master_key_id", "master_key_id", "replaced", "written"])
        XCTAssertEqual(try CatalogCoding.decoder().decode(KeyRotationJournal.self, from: data), journal)
    }
}
