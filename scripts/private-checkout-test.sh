#!/usr/bin/env bash
# private-checkout-test.sh: the README's test command, run from a clone that only its owner can enter, as a
# new user's `git clone` into `mktemp -d`, /root or a 0700 home would be. The servers run as the postgres OS
# user, which cannot enter such a clone: the harness must not depend on it. Runs the WAL archiving and snapshot
# restore tests there (the ones that failed from a private clone), on a clone of this checkout's HEAD.
set -euo pipefail
cd "$(dirname "$0")/.."
parent="$(mktemp -d /tmp/lifeboat-private.XXXXXX)"   # mode 0700
trap 'rm -rf "$parent"' EXIT
[ "$(stat -c %a "$parent")" = 700 ] || { echo "private-checkout-test: $parent is not 0700" >&2; exit 1; }
git clone --quiet --no-hardlinks "$(pwd)" "$parent/lifeboat"
cd "$parent/lifeboat"
# On Debian's PostgreSQL 15 only: the matrix run of the outer test.sh covers the other majors.
LIFEBOAT_PRIVATE_CHECKOUT_TEST=1 LIFEBOAT_TEST_PG_VERSIONS=15 bash scripts/test.sh \
    --filter 'WALArchiveTests/testArchiveCommandArchivesSegmentsThatGetRestoresByteForByte|SnapshotRestoreTests/testSnapshotThenPointInTimeRestoreToTimeAndToLatest'
