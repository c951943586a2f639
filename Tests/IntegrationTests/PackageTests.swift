// The Debian package (scripts/package.sh) installs Lifeboat like a system tool and leaves nothing behind: built,
// installed with `dpkg -i` on this machine, then /usr/bin/lifeboat, the manual, bash completion, the systemd
// units (systemd-analyze verify, with their Documentation= man page), the example configuration with the
// shipped policy (`lifeboat check`), conffile handling on reinstall, `dpkg -r` and `dpkg -P`.
//
// Which binary goes in (a release build takes minutes, the rest of this test seconds):
//   LIFEBOAT_RELEASE_BIN=PATH   a `swift build -c release --static-swift-stdlib` binary (scripts/test.sh builds
//                               one first when LIFEBOAT_PACKAGE_RELEASE=1: package.sh cannot build under
//                               `swift test`, which holds SwiftPM's lock on .build)
//   otherwise                   the suite's debug binary (LIFEBOAT_BIN): everything but the static link is
//                               exercised; package.sh is told to accept a dynamically linked Swift runtime
// Timings on 2 shared cores: about 30 s with the debug binary, 50 s with a release binary (xz-compressing 64 MB).
// Needs root (dpkg); skipped otherwise. It removes any lifeboat package installed before it starts.
import Foundation
import TestSupport
import XCTest

final class PackageTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs a program (stdout and stderr to files: no pipe can fill up), optionally with extra environment.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:], directory: String? = nil) throws -> RunResult {
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try ProcessRunner.run("/usr/bin/env", arguments, environment: merged, directory: directory)
    }

    /// dpkg, waiting while another dpkg or apt run holds its lock (this machine is shared).
    @discardableResult
    func dpkg(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> RunResult {
        var result = try run(["dpkg"] + arguments)
        var attempts = 0
        while result.status != 0, result.stderr.contains("lock"), attempts < 60 {
            Thread.sleep(forTimeInterval: 2)
            attempts += 1
            result = try run(["dpkg"] + arguments)
        }
        return result
    }

    func installed() throws -> Bool {
        try run(["dpkg-query", "-W", "-f=${Status}", "lifeboat"]).stdout.contains("ok installed")
    }

    func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { print(String(format: "PackageTests: %@ took %.1f s", label, Date().timeIntervalSince(start))) }
        return try body()
    }

    func testPackageInstallsRunsAndRemovesCleanly() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg") else {
            throw XCTSkip("installing a .deb needs root and dpkg")
        }
        let environment = ProcessInfo.processInfo.environment
        let dist = NSTemporaryDirectory() + "lifeboat-dist-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dist) }
        // Under `swift test` SwiftPM's lock on .build is held: the generate-manual plugin would wait for it forever.
        guard let tool = environment["LIFEBOAT_GENERATE_MANUAL"], FileManager.default.isExecutableFile(atPath: tool)
        else {
            return XCTFail("LIFEBOAT_GENERATE_MANUAL must name the generate-manual tool (scripts/test.sh builds it)")
        }
        var packageEnvironment = ["DIST": dist, "LIFEBOAT_GENERATE_MANUAL": tool]
        if let release = environment["LIFEBOAT_RELEASE_BIN"], !release.isEmpty {
            packageEnvironment["LIFEBOAT_RELEASE_BIN"] = release
        } else {
            let debug = try XCTUnwrap(environment["LIFEBOAT_BIN"], "scripts/test.sh sets LIFEBOAT_BIN")
            packageEnvironment["LIFEBOAT_RELEASE_BIN"] = debug
            packageEnvironment["LIFEBOAT_PACKAGE_ALLOW_DYNAMIC_SWIFT"] = "1"
        }

        // Build the package.
        let built = try timed("scripts/package.sh") {
            try run(
                ["bash", Self.root + "/scripts/package.sh", "--no-lintian"], environment: packageEnvironment,
                directory: Self.root)
        }
        XCTAssertEqual(built.status, 0, built.stderr)
        let deb = built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = try String(
            contentsOfFile: Self.root + "/Sources/Engines/Engine/Core/EngineContext.swift", encoding: .utf8)
        let version = try XCTUnwrap(
            source.split(separator: "\n").first { $0.contains("static let toolVersion") }?
                .split(separator: "\"").dropFirst().first.map(String.init))
        let arch = try run(["dpkg", "--print-architecture"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(deb, "\(dist)/lifeboat_\(version)_\(arch).deb")

        // What the package declares.
        let control = try run(["dpkg-deb", "-f", deb]).stdout
        XCTAssertTrue(control.contains("Version: \(version)\n"), control)
        let depends = try XCTUnwrap(control.split(separator: "\n").first { $0.hasPrefix("Depends: ") })
        for library in ["libpq5", "libarchive13", "libcurl4", "libssl3"] {
            XCTAssertTrue(depends.contains(library), "Depends lacks \(library): \(depends)")
        }
        XCTAssertTrue(control.contains("Recommends: postgresql-client\n"), control)
        XCTAssertEqual(try run(["dpkg-deb", "-I", deb, "conffiles"]).stdout, "/etc/lifeboat/lifeboat.yml\n")
        let contents = try run(["dpkg-deb", "-c", deb]).stdout
        XCTAssertTrue(contents.contains("-rw-r----- root/root"), "lifeboat.yml is 0640 in the package:\n\(contents)")
        for path in [
            "./usr/bin/lifeboat", "./usr/share/man/man1/lifeboat.1.gz", "./usr/share/man/man1/lifeboat.backup.1.gz",
            "./usr/share/bash-completion/completions/lifeboat", "./usr/share/zsh/vendor-completions/_lifeboat",
            "./usr/share/fish/vendor_completions.d/lifeboat.fish", "./lib/systemd/system/lifeboat-backup.service",
            "./lib/systemd/system/lifeboat-backup.timer", "./lib/systemd/system/lifeboat-wal-receive.service",
            "./etc/lifeboat/lifeboat.yml",
            "./usr/share/lifeboat/policies/production.yml", "./usr/share/lifeboat/drills/nightly-smoke.yml",
            "./usr/share/lifeboat/runbooks/incident-restore.md", "./usr/share/doc/lifeboat/copyright",
            "./usr/share/doc/lifeboat/changelog.gz",
        ] {
            XCTAssertTrue(contents.contains(" \(path)\n"), "the package lacks \(path)")
        }

        // One package test per machine at a time (other checkouts' suites install the same package).
        let lock = open("/tmp/lifeboat-package-test.lock", O_CREAT | O_RDWR, 0o644)
        XCTAssertGreaterThanOrEqual(lock, 0)
        defer { if lock >= 0 { close(lock) } }
        if lock >= 0 { _ = flock(lock, LOCK_EX) }

        // Install (after removing whatever an earlier, interrupted run left).
        if try installed() { try dpkg(["-P", "lifeboat"]) }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: "/etc/lifeboat/lifeboat.yml"),
            "/etc/lifeboat/lifeboat.yml exists before the install")
        defer { if (try? installed()) == true { _ = try? dpkg(["-P", "lifeboat"]) } }
        let install = try timed("dpkg -i") { try dpkg(["-i", deb]) }
        XCTAssertEqual(install.status, 0, install.output)
        XCTAssertTrue(try installed())
        let files = try run(["dpkg", "-L", "lifeboat"]).stdout.split(separator: "\n").map(String.init)
        XCTAssertTrue(files.contains("/usr/bin/lifeboat"))

        // The command, its manual, its completion.
        let versionRun = try run(["/usr/bin/lifeboat", "--version"])
        XCTAssertEqual(versionRun.status, 0, versionRun.output)
        XCTAssertEqual(versionRun.stdout.trimmingCharacters(in: .whitespacesAndNewlines), version)
        let which = try run(["sh", "-c", "command -v lifeboat"], environment: ["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(which.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "/usr/bin/lifeboat")
        let manPath = try run(["man", "-w", "lifeboat"])
        XCTAssertEqual(manPath.status, 0, manPath.output)
        XCTAssertEqual(
            manPath.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "/usr/share/man/man1/lifeboat.1.gz")
        XCTAssertEqual(try run(["man", "-w", "lifeboat.backup"]).status, 0, "the per-command page lifeboat.backup(1)")
        let page = try run(["man", "-P", "cat", "lifeboat"], environment: ["MANWIDTH": "100", "LANG": "C.UTF-8"])
        XCTAssertEqual(page.status, 0, page.stderr)
        for text in ["lifeboat", "backup", "restore", "drill"] {
            XCTAssertTrue(page.stdout.contains(text), "man lifeboat lacks \(text)")
        }
        XCTAssertFalse(
            page.stdout.contains("into the prefetch spool"), "man lifeboat documents the internal wal prefetch")
        XCTAssertEqual(try run(["man", "-w", "lifeboat.wal.prefetch"]).status, 16, "an internal command has a page")
        let completion = try run([
            "bash", "-c",
            """
            source /usr/share/bash-completion/completions/lifeboat
            COMPREPLY=(); COMP_WORDS=(lifeboat ba); COMP_CWORD=1; COMP_LINE="lifeboat ba"; COMP_POINT=${#COMP_LINE}
            _lifeboat lifeboat ba lifeboat
            printf '%s\\n' "${COMPREPLY[@]}"
            COMPREPLY=(); COMP_WORDS=(lifeboat drill r); COMP_CWORD=2; COMP_LINE="lifeboat drill r"; COMP_POINT=${#COMP_LINE}
            _lifeboat lifeboat r drill
            printf '%s\\n' "${COMPREPLY[@]}"
            """,
        ])
        XCTAssertEqual(completion.status, 0, completion.output)
        XCTAssertEqual(
            completion.stdout.split(separator: "\n"), ["backup", "run"],
            "bash completes `lifeboat ba` and `lifeboat drill r`")
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") {
            XCTAssertEqual(
                try run(["fish", "--no-execute", "/usr/share/fish/vendor_completions.d/lifeboat.fish"]).status, 0)
        }
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") {
            XCTAssertEqual(try run(["zsh", "-n", "/usr/share/zsh/vendor-completions/_lifeboat"]).status, 0)
        }

        // The installed units verify, with their Documentation= manual page; none is enabled.
        let units = files.filter { $0.hasPrefix("/lib/systemd/system/lifeboat-") }.sorted()
        XCTAssertEqual(units.count, 9, "\(units)")
        let verify = try run(["systemd-analyze", "verify", "--man=yes"] + units)
        XCTAssertEqual(verify.status, 0, verify.output)
        XCTAssertEqual(
            verify.output.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify found problems")
        for unit in units {
            let text = try String(contentsOfFile: unit, encoding: .utf8)
            XCTAssertFalse(text.contains("/usr/local"), "\(unit) names /usr/local")
            if unit.hasSuffix(".service") {
                XCTAssertTrue(text.contains("=/usr/bin/lifeboat ") || text.contains("'/usr/bin/lifeboat "), unit)
            }
        }
        let wants =
            (try? FileManager.default.contentsOfDirectory(atPath: "/etc/systemd/system/timers.target.wants")) ?? []
        XCTAssertEqual(wants.filter { $0.hasPrefix("lifeboat") }, [], "the package enabled a timer")

        // The example configuration: 0640 (group postgres when it exists), valid, and its policy is shipped.
        let attributes = try FileManager.default.attributesOfItem(atPath: "/etc/lifeboat/lifeboat.yml")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        if try run(["getent", "group", "postgres"]).status == 0 {
            XCTAssertEqual(attributes[.groupOwnerAccountName] as? String, "postgres")
        }
        let check = try run(["/usr/bin/lifeboat", "--config", "/etc/lifeboat/lifeboat.yml", "check"])
        XCTAssertTrue(check.stdout.contains("ok   configuration: /etc/lifeboat/lifeboat.yml"), check.output)
        XCTAssertTrue(
            check.stdout.contains("ok   policy"), "the example configuration's policy is shipped:\n\(check.output)")

        // An operator's edit survives a reinstall (conffile).
        let edited =
            try String(contentsOfFile: "/etc/lifeboat/lifeboat.yml", encoding: .utf8) + "# edited by the operator\n"
        try edited.write(toFile: "/etc/lifeboat/lifeboat.yml", atomically: false, encoding: .utf8)
        let reinstall = try dpkg(["-i", deb])
        XCTAssertEqual(reinstall.status, 0, reinstall.output)
        XCTAssertEqual(
            try String(contentsOfFile: "/etc/lifeboat/lifeboat.yml", encoding: .utf8), edited,
            "dpkg -i overwrote the edited configuration")

        // Remove: everything but the conffile goes. Purge: the conffile and /etc/lifeboat go too.
        let remove = try timed("dpkg -r") { try dpkg(["-r", "lifeboat"]) }
        XCTAssertEqual(remove.status, 0, remove.output)
        var isDirectory: ObjCBool = false
        for file in files where file != "/etc/lifeboat/lifeboat.yml" && file != "/etc/lifeboat" {
            if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue {
                XCTFail("\(file) is still there after dpkg -r")
            }
        }
        for directory in ["/usr/share/lifeboat", "/usr/share/doc/lifeboat"] {
            XCTAssertFalse(
                FileManager.default.fileExists(atPath: directory), "\(directory) is still there after dpkg -r")
        }
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: "/etc/lifeboat/lifeboat.yml"), "dpkg -r removed the configuration")
        let purge = try timed("dpkg -P") { try dpkg(["-P", "lifeboat"]) }
        XCTAssertEqual(purge.status, 0, purge.output)
        XCTAssertFalse(try installed())
        for file in files
        where FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue {
            XCTFail("\(file) is still there after dpkg -P")
        }
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: "/etc/lifeboat"), "/etc/lifeboat is still there after dpkg -P")
        XCTAssertEqual(try run(["dpkg-query", "-W", "lifeboat"]).status, 1, "dpkg still knows the package after purge")
    }
}
