#!/usr/bin/env bash
# faults.sh: the whole fault-injection suite (docs/faults.md), then one table of figures.
#   - failpoints: every command under test is run with SIGKILL, SIGTERM and an I/O error at every point it
#     reaches, and the repository guarantees are checked after each;
#   - concurrency: writers race each other on one repository;
#   - storage: S3 errors at every request index, a full and a read-only local repository;
#   - corruption: random byte flips, truncations and object swaps (LIFEBOAT_CORRUPTION_TRIALS, default 1000).
# scripts/test.sh runs a fast subset of the same tests; this runs them widened (LIFEBOAT_FAULTS_FULL=1).
# Exit status: that of the tests (non-zero when any guarantee broke or a corruption went undetected).
set -euo pipefail
cd "$(dirname "$0")/.."
report="$(mktemp /tmp/lifeboat-faults.XXXXXX.jsonl)"
trap 'rm -f "$report"' EXIT
export LIFEBOAT_FAULTS_REPORT="$report" LIFEBOAT_FAULTS_FULL=1
export LIFEBOAT_CORRUPTION_TRIALS="${LIFEBOAT_CORRUPTION_TRIALS:-1000}"
started=$(date +%s)
status=0
bash scripts/test.sh \
    --filter 'FaultInjectionTests|KeyFailpointTests|WALFaultTests|WALAsyncFaultTests|WALReceiveTests|IncrementalFaultTests|ChainRestoreFaultTests|PruneFaultTests|ConcurrencyFaultTests|KeyConcurrencyTests|WALCommitTests|PruneWALRaceTests|StorageFaultTests|CorruptionTests|ExclusiveCreateTests|RepositoryLockRaceTests' \
    || status=$?
python3 scripts/faults-table.py "$report" "$(( $(date +%s) - started ))"
exit "$status"
