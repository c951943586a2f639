// The `--json` shape of the effective configuration: snake_case keys like the YAML, URLs as strings, no secrets.
import XCTest

@testable import Configuration

final class JSONShapeTests: XCTestCase {
    func testEncodedShape() throws {
        var config = try Fixture.parse(Fixture.example)
        config.postgres.url = "postgresql://postgres:hunter2@127.0.0.1:5432/postgres"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(config), as: UTF8.self)
        let expected = #"""
            {"backup":{"databases":[],"from_standby":false,"jobs":1,"type":"logical"},"cluster":"main","compression":{"algorithm":"zstd","level":3},\#
            "encryption":{"key_file":"\/etc\/lifeboat\/repo.key"},"policy":"\/etc\/lifeboat\/policies\/production.yml",\#
            "postgres":{"bin_dir":"\/usr\/lib\/postgresql\/15\/bin","os_user":"postgres",\#
            "standby_max_lag":"5m","url":"postgresql:\/\/postgres:***@127.0.0.1:5432\/postgres"},\#
            "repository":{"addressing":"path","endpoint":"http:\/\/127.0.0.1:9000","insecure_skip_tls_verify":false,\#
            "parallel":3,"part_size":8388608,"range_size":16777216,"region":"us-east-1","url":"file:\/\/\/var\/backups\/lifeboat"},\#
            "restore":{"direct_io":true},"source_path":"\/etc\/lifeboat\/lifeboat.yml",\#
            "wal":{"async":false,"async_timeout":60,"partial_every":10,"prefetch":8,"push_parallel":4,\#
            "slot_retained_warn":1073741824}}
            """#
        XCTAssertEqual(json, expected)
    }

    func testDecodesWhatItEncodesApartFromThePassword() throws {
        let yaml = Fixture.minimal.replacingOccurrences(
            of: "url: file:///var/backups/lifeboat", with: "url: s3://b-1/p\n  sse: AES256")
        let config = try Fixture.parse(yaml)
        let decoded = try JSONDecoder().decode(LifeboatConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(decoded, config)
    }
}
