#!/usr/bin/env bash
# test.sh: the whole test suite, from a fresh clone on a fresh Debian machine.
# Installs what is missing, builds, starts a scratch PostgreSQL 15 (as the postgres OS user when run as root)
# and an S3-compatible server (moto with SigV4 signature verification, plus a fault-injecting proxy),
# runs `swift test` (unit tests and integration tests that drive the built binary), then stops everything,
# also on failure. Extra arguments go to `swift test` (e.g. --filter IntegrationTests).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

bash scripts/setup.sh

swift build
bin_path="$(swift build --show-bin-path)"

work="$(mktemp -d /tmp/lifeboat-test.XXXXXX)"
chmod 755 "$work"   # the postgres OS user must be able to reach its data directory
cleanup() {
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
    bash "$root/scripts/s3-test-server.sh" stop "$work/s3" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/pg"
chmod 755 "$work/pg"
bash scripts/pg-scratch.sh start "$work/pg" >/dev/null

# S3-compatible server (moto, SigV4 verification on) and a fault-injecting proxy in front of it.
mkdir -p "$work/s3"
bash scripts/s3-test-server.sh start "$work/s3" >/dev/null
bash scripts/s3-test-server.sh proxy "$work/s3" >/dev/null
# shellcheck disable=SC1091
. "$work/s3/env"

export LIFEBOAT_TEST_PG_URL="$(bash scripts/pg-scratch.sh url "$work/pg")"
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

# A full run also proves the harness works from a clone only its owner can enter (in such a checkout every
# archive_command once failed with exit 126). It runs first so XCTest's summary below stays the last line.
if [ "$#" -eq 0 ] && [ -z "${LIFEBOAT_PRIVATE_CHECKOUT_TEST:-}" ]; then
    bash scripts/private-checkout-test.sh
fi

# The suites are XCTest; skipping the empty Swift Testing pass keeps XCTest's summary as the closing line.
swift test --disable-swift-testing "$@"
