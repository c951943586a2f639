// The happy paths: the documented example, every optional key, defaults, and path resolution.
import XCTest

@testable import Configuration

final class ConfigLoaderTests: XCTestCase {
    func testProductExampleParsesToExpectedModel() throws {
        let config = try Fixture.parse(Fixture.example)
        let expected = LifeboatConfig(
            cluster: "main",
            postgres: PostgresSettings(
                url: "postgresql://postgres@127.0.0.1:5432/postgres",
                binDir: "/usr/lib/postgresql/15/bin", osUser: "postgres"),
            repository: RepositorySettings(
                location: .file(path: "/var/backups/lifeboat"),
                endpoint: "http://127.0.0.1:9000", region: "us-east-1", addressing: .path),
            encryption: .keyFile(path: "/etc/lifeboat/repo.key"),
            compression: CompressionSettings(algorithm: .zstd, level: 3),
            backup: BackupSettings(type: .logical, databases: []),
            policyPath: "/etc/lifeboat/policies/production.yml",
            sourcePath: Fixture.path)
        XCTAssertEqual(config, expected)
        XCTAssertFalse(config.postgresURLHasPassword)
    }

    func testDefaultsAreApplied() throws {
        let config = try Fixture.parse(Fixture.minimal)
        XCTAssertEqual(config.repository.region, "us-east-1")
        XCTAssertEqual(
            config.repository.addressing, .virtual, "no endpoint means AWS, which wants virtual-hosted style")
        XCTAssertEqual(config.repository.partSize, 8 * 1024 * 1024)
        XCTAssertEqual(config.repository.rangeSize, 16 * 1024 * 1024)
        XCTAssertEqual(config.repository.parallel, 3)
        XCTAssertFalse(config.repository.insecureSkipTLSVerify)
        XCTAssertNil(config.repository.endpoint)
        XCTAssertNil(config.repository.caFile)
        XCTAssertNil(config.repository.storageClass)
        XCTAssertNil(config.repository.metadataStorageClass)
        XCTAssertNil(config.repository.sse)
        XCTAssertNil(config.repository.sseKMSKeyID)
        XCTAssertEqual(config.compression, CompressionSettings(algorithm: .zstd, level: 3))
        XCTAssertEqual(config.backup, BackupSettings(type: .logical, databases: []))
        XCTAssertEqual(config.wal, WALSettings(prefetch: 8, pushParallel: 4))
        XCTAssertNil(config.policyPath)
        XCTAssertNil(config.postgres.binDir)
        XCTAssertNil(config.postgres.osUser)
        XCTAssertEqual(config.encryption, .passphraseEnvironment(name: "LIFEBOAT_PASSPHRASE"))
    }

    func testWALSection() throws {
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "wal: { prefetch: 0 }\n").wal.prefetch, 0)
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "wal:\n  prefetch: 16\n").wal.prefetch, 16)
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { prefetch: 65 }\n")) { error in
            guard case ConfigError.invalidValue(key: "wal.prefetch", _, "65", _, _) = error else {
                return XCTFail("\(error)")
            }
        }
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { prefetsh: 2 }\n"))
        XCTAssertEqual(
            try Fixture.parse(Fixture.minimal + "wal: { push_parallel: 0 }\n").wal,
            WALSettings(prefetch: 8, pushParallel: 0))
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { push_parallel: 17 }\n"))
    }

    func testRestoreSectionTurnsDirectIOOff() throws {
        XCTAssertTrue(try Fixture.parse(Fixture.minimal).restore.directIO)
        XCTAssertFalse(try Fixture.parse(Fixture.minimal + "restore: { direct_io: false }\n").restore.directIO)
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "restore: { direct_io: maybe }\n"))
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "restore: { directio: false }\n"))
    }

    func testWALHasItsOwnCompressionLevelOnlyWithZstd() throws {
        XCTAssertNil(try Fixture.parse(Fixture.minimal).wal.compressionLevel)
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "wal: { compression_level: 1 }\n").wal.compressionLevel, 1)
        for level in [-7, -1, 19] {
            XCTAssertEqual(
                try Fixture.parse(Fixture.minimal + "wal: { compression_level: \(level) }\n").wal.compressionLevel,
                level)
        }
        for level in [20, 0, -8] {
            XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { compression_level: \(level) }\n")) {
                guard case ConfigError.invalidValue(key: "wal.compression_level", _, "\(level)", _, _) = $0 else {
                    return XCTFail("\(level): \($0)")
                }
            }
        }
        // The fast levels are for WAL only: backups keep 1...19.
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "compression: { algorithm: zstd, level: -1 }\n"))
        let none = Fixture.minimal + "compression: { algorithm: none }\nwal: { compression_level: 1 }\n"
        XCTAssertThrowsError(try Fixture.parse(none)) { error in
            guard case ConfigError.invalidValue(key: "wal.compression_level", _, "1", _, _) = error else {
                return XCTFail("\(error)")
            }
        }
    }

    func testAsyncArchivingNeedsASpoolDirectory() throws {
        let wal = try Fixture.parse(Fixture.minimal + "wal: { async: true, spool_dir: spool, async_timeout: 5 }\n").wal
        XCTAssertTrue(wal.async)
        XCTAssertEqual(wal.spoolDir, "/etc/lifeboat/spool", "relative to the configuration file")
        XCTAssertEqual(wal.asyncTimeout, 5)
        XCTAssertFalse(try Fixture.parse(Fixture.minimal).wal.async)
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { async: true }\n")) { error in
            guard case ConfigError.missingKey(key: "wal.spool_dir", _, _) = error else { return XCTFail("\(error)") }
        }
        let dropping = "wal: { async: true, spool_dir: /s, queue_max: 8GiB }\n"
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + dropping).wal.queueMax, 8 << 30)
        XCTAssertNil(try Fixture.parse(Fixture.minimal + "wal: { async: true, spool_dir: /s }\n").wal.queueMax)
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { queue_max: 8GiB }\n"), "needs async")
        XCTAssertThrowsError(
            try Fixture.parse(Fixture.minimal + "wal: { async: true, spool_dir: /s, queue_max: 1MiB }\n"))
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "wal: { async_timeout: 0 }\n")) { error in
            guard case ConfigError.invalidValue(key: "wal.async_timeout", _, "0", _, _) = error else {
                return XCTFail("\(error)")
            }
        }
    }

    func testWALReceiveKeys() throws {
        let defaults = try Fixture.parse(Fixture.minimal).wal
        XCTAssertEqual(defaults.partialEvery, 10)
        XCTAssertNil(defaults.slot)
        XCTAssertEqual(defaults.slotName(cluster: "Prod-eu.1"), "lifeboat_prod_eu_1")
        XCTAssertEqual(defaults.slotRetainedWarn, 1 << 30)
        let set = try Fixture.parse(
            Fixture.minimal + "wal: { partial_every: 2s, slot: receiver_1, slot_retained_warn: 512MiB }\n"
        ).wal
        XCTAssertEqual(set.partialEvery, 2)
        XCTAssertEqual(set.slotName(cluster: "main"), "receiver_1")
        XCTAssertEqual(set.slotRetainedWarn, 512 << 20)
        for (yaml, key) in [
            ("wal: { partial_every: 0s }\n", "wal.partial_every"),
            ("wal: { partial_every: 2h }\n", "wal.partial_every"),
            ("wal: { slot: Bad-Name }\n", "wal.slot"),
            ("wal: { slot_retained_warn: 10KiB }\n", "wal.slot_retained_warn"),
        ] {
            XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + yaml), yaml) { error in
                guard case ConfigError.invalidValue(key: key, _, _, _, _) = error else { return XCTFail("\(error)") }
            }
        }
    }

    func testBackupJobs() throws {
        XCTAssertEqual(try Fixture.parse(Fixture.minimal).backup.jobs, 1)
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "backup: { jobs: 4 }\n").backup.jobs, 4)
        for bad in ["0", "65"] {
            XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "backup: { jobs: \(bad) }\n")) { error in
                guard case ConfigError.invalidValue(key: "backup.jobs", _, bad, _, _) = error else {
                    return XCTFail("\(error)")
                }
            }
        }
    }

    func testBackupThreads() throws {
        XCTAssertNil(try Fixture.parse(Fixture.minimal).backup.threads, "absent: one per core, decided at run time")
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "backup: { threads: 1 }\n").backup.threads, 1)
        XCTAssertEqual(try Fixture.parse(Fixture.minimal + "backup: { threads: 64 }\n").backup.threads, 64)
        for bad in ["0", "65", "-2"] {
            XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "backup: { threads: \(bad) }\n")) { error in
                guard case ConfigError.invalidValue(key: "backup.threads", _, bad, let accepted, let hint) = error
                else {
                    return XCTFail("\(error)")
                }
                XCTAssertEqual(accepted, "1...64 threads per snapshot")
                XCTAssertTrue(hint?.contains("remove the key") == true, "\(String(describing: hint))")
                XCTAssertEqual((error as? ConfigError)?.exitStatus, .usage)
            }
        }
        XCTAssertThrowsError(try Fixture.parse(Fixture.minimal + "backup: { threads: two }\n")) { error in
            guard case ConfigError.wrongType(key: "backup.threads", _, _, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testEveryS3KeyIsRead() throws {
        let yaml = """
            cluster: prod-eu.1
            postgres:
              url: host=db.internal port=5432 dbname=app user=backup
            repository:
              url: s3://lifeboat-backups/eu/prod/
              endpoint: https://s3.eu-central-1.amazonaws.com
              region: eu-central-1
              addressing: virtual
              ca_file: certs/ca.pem
              insecure_skip_tls_verify: true
              storage_class: STANDARD_IA
              metadata_storage_class: STANDARD
              part_size: 64MiB
              range_size: 32MiB
              parallel: 8
              sse: aws:kms
              sse_kms_key_id: arn:aws:kms:eu-central-1:111122223333:key/abcd
            encryption:
              key_file: ../keys/repo.key
            compression:
              algorithm: none
            backup:
              type: snapshot
              databases: [app, reporting]
            """
        let config = try Fixture.parse(yaml, path: "/srv/lifeboat/conf/lifeboat.yml")
        XCTAssertEqual(config.cluster, "prod-eu.1")
        XCTAssertEqual(
            config.repository,
            RepositorySettings(
                location: .s3(bucket: "lifeboat-backups", prefix: "eu/prod"),
                endpoint: "https://s3.eu-central-1.amazonaws.com", region: "eu-central-1", addressing: .virtual,
                caFile: "/srv/lifeboat/conf/certs/ca.pem", insecureSkipTLSVerify: true, storageClass: "STANDARD_IA",
                metadataStorageClass: "STANDARD", partSize: 64 * 1024 * 1024, rangeSize: 32 << 20, parallel: 8,
                sse: "aws:kms",
                sseKMSKeyID: "arn:aws:kms:eu-central-1:111122223333:key/abcd"))
        XCTAssertEqual(config.encryption, .keyFile(path: "/srv/lifeboat/keys/repo.key"))
        XCTAssertEqual(config.compression, CompressionSettings(algorithm: .none, level: 0))
        XCTAssertEqual(config.backup, BackupSettings(type: .snapshot, databases: ["app", "reporting"]))
    }

    func testEndpointDefaultsToPathAddressing() throws {
        let yaml = Fixture.minimal + "  # trailing comment\n"
        XCTAssertEqual(try Fixture.parse(yaml).repository.addressing, .virtual)
        let withEndpoint = Fixture.minimal.replacingOccurrences(
            of: "  url: file:///var/backups/lifeboat", with: "  url: s3://bucket\n  endpoint: http://127.0.0.1:9000")
        XCTAssertEqual(try Fixture.parse(withEndpoint).repository.addressing, .path)
    }

    func testRelativePathsResolveAgainstTheConfigDirectory() throws {
        let yaml = """
            cluster: main
            postgres: { url: "postgresql:///postgres", bin_dir: ./bin/../pgbin }
            repository: { url: "file:///r", ca_file: ca.pem }
            encryption: { key_file: keys//repo.key }
            policy: ../policies/./production.yml
            """
        let config = try Fixture.parse(yaml, path: "/opt/app/etc/lifeboat.yml")
        XCTAssertEqual(config.postgres.binDir, "/opt/app/etc/pgbin")
        XCTAssertEqual(config.repository.caFile, "/opt/app/etc/ca.pem")
        XCTAssertEqual(config.encryption, .keyFile(path: "/opt/app/etc/keys/repo.key"))
        XCTAssertEqual(config.policyPath, "/opt/app/policies/production.yml")
    }

    func testAbsolutePathsAreKept() throws {
        let yaml = Fixture.minimal + "policy: /srv/policies/p.yml\n"
        XCTAssertEqual(try Fixture.parse(yaml, path: "/elsewhere/lifeboat.yml").policyPath, "/srv/policies/p.yml")
    }

    func testExplicitNullMeansNotSet() throws {
        let yaml = Fixture.minimal + "compression:\nbackup: ~\npolicy:\n"
        let config = try Fixture.parse(yaml)
        XCTAssertEqual(config.compression, CompressionSettings())
        XCTAssertNil(config.policyPath)
    }

    func testNumericClusterNameIsTakenAsWritten() throws {
        let yaml = Fixture.minimal.replacingOccurrences(of: "cluster: main", with: "cluster: 2024")
        XCTAssertEqual(try Fixture.parse(yaml).cluster, "2024")
    }

    func testPartSizeForms() throws {
        func partSize(_ text: String) throws -> Int {
            let yaml = Fixture.minimal.replacingOccurrences(
                of: "  url: file:///var/backups/lifeboat",
                with: "  url: file:///var/backups/lifeboat\n  part_size: \(text)")
            return try Fixture.parse(yaml).repository.partSize
        }
        XCTAssertEqual(try partSize("16MiB"), 16 << 20)
        XCTAssertEqual(try partSize("\"8 mib\""), 8 << 20)
        XCTAssertEqual(try partSize("5242880"), 5 << 20)
        XCTAssertEqual(try partSize("1GiB"), 1 << 30)
        XCTAssertEqual(try partSize("6144KiB"), 6 << 20)
    }

    /// range_size takes the same forms, its own bounds (no S3 part limit: 1 MiB is a fine range, not a part),
    /// and errors name range_size, not part_size.
    func testRangeSizeFormsAndBounds() throws {
        func parse(_ text: String) throws -> RepositorySettings {
            let yaml = Fixture.minimal.replacingOccurrences(
                of: "  url: file:///var/backups/lifeboat",
                with: "  url: file:///var/backups/lifeboat\n  range_size: \(text)")
            return try Fixture.parse(yaml).repository
        }
        XCTAssertEqual(try parse("1MiB").rangeSize, 1 << 20)
        XCTAssertEqual(try parse("\"64 mib\"").rangeSize, 64 << 20)
        XCTAssertEqual(try parse("1MiB").partSize, RepositorySettings.defaultPartSize, "part_size stays its own")
        for bad in ["512KiB", "2GiB", "lots"] {
            XCTAssertThrowsError(try parse(bad), bad) { error in
                guard case ConfigError.invalidValue(let key, _, _, _, _) = error else {
                    return XCTFail("\(bad): \(error)")
                }
                XCTAssertEqual(key, "repository.range_size")
            }
        }
    }

    func testLoadReadsAFileAndMakesItsPathAbsolute() throws {
        let directory = try Fixture.temporaryDirectory(self)
        let file = directory + "/lifeboat.yml"
        try (Fixture.minimal + "policy: p.yml\n").write(toFile: file, atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(path: file)
        XCTAssertEqual(config.sourcePath, file)
        XCTAssertEqual(config.policyPath, directory + "/p.yml")
    }
}
