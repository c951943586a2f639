// Small pure helpers: lexical path normalisation and key spelling suggestions.
import XCTest

@testable import Configuration

final class HelperTests: XCTestCase {
    func testPathNormalization() {
        XCTAssertEqual(PathResolver.normalize("/a//b/./c/../d/"), "/a/b/d")
        XCTAssertEqual(PathResolver.normalize("/../../x"), "/x")
        XCTAssertEqual(PathResolver.normalize("../x/./y/.."), "../x")
        XCTAssertEqual(PathResolver.normalize("./"), ".")
        XCTAssertEqual(PathResolver.resolve("k.key", relativeTo: "."), "k.key")
        XCTAssertEqual(PathResolver.directory(of: "/lifeboat.yml"), "/")
        XCTAssertEqual(PathResolver.directory(of: "lifeboat.yml"), ".")
        XCTAssertEqual(PathResolver.directory(of: "/etc/lifeboat/lifeboat.yml"), "/etc/lifeboat")
    }

    func testSpellingSuggestions() {
        XCTAssertEqual(Spelling.closest(to: "endpiont", among: RepositorySettings.keys), "endpoint")
        XCTAssertEqual(Spelling.closest(to: "Region", among: RepositorySettings.keys), "region")
        XCTAssertEqual(Spelling.closest(to: "keyfile", among: EncryptionSettings.keys), "key_file")
        XCTAssertNil(Spelling.closest(to: "retention", among: ConfigLoader.topLevelKeys))
        XCTAssertEqual(Spelling.distance("abc", "acb"), 1)
        XCTAssertEqual(Spelling.distance("", "abc"), 3)
    }
}
