#!/usr/bin/env bash
# bench-wal-receive.sh [SECONDS] (run as `scripts/bench.sh wal-receive [SECONDS]`): the lag of `lifeboat wal
# receive` under pgbench load. A scratch PostgreSQL 15 with a pgbench database of scale BENCH_SCALE (default 10);
# the receiver (release build) streams into a scratch file repository with wal.partial_every BENCH_PARTIAL_EVERY
# (default 1s) while `pgbench -c BENCH_CLIENTS (default 4)` runs for SECONDS (default 30). Every second the server's
# pg_stat_replication row of the receiver is sampled: bytes not yet received (sent − write position), bytes not
# yet committed to the repository (current WAL − flush position: the slot keeps them) and flush_lag (PostgreSQL's
# own measure: time from the server flushing WAL to the receiver acknowledging it as flushed, which the receiver
# does only once it is in the repository). Prints median and max of each, pgbench's TPS and WAL rate, and
# `lifeboat status`'s receiver lag at the end. Everything is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
seconds="${1:-30}"
scale="${BENCH_SCALE:-10}"
clients="${BENCH_CLIENTS:-4}"
every="${BENCH_PARTIAL_EVERY:-1s}"
pg_bin=/usr/lib/postgresql/15/bin

bash scripts/setup.sh >/dev/null
swift build -c release --static-swift-stdlib --product lifeboat >/dev/null
lifeboat="$(swift build -c release --static-swift-stdlib --show-bin-path)/lifeboat"

work="$(mktemp -d /tmp/lifeboat-bench-receive.XXXXXX)"
chmod 755 "$work"
receiver=""
cleanup() {
    [ -z "$receiver" ] || kill "$receiver" 2>/dev/null || true
    [ -z "$receiver" ] || wait "$receiver" 2>/dev/null || true
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/pg" && chmod 755 "$work/pg"
bash scripts/pg-scratch.sh start "$work/pg" >/dev/null
url="$(bash scripts/pg-scratch.sh url "$work/pg")"
base="${url%/*}"
psql_admin() { "$pg_bin/psql" -X -q -tA -v ON_ERROR_STOP=1 "$url" "$@"; }
echo "==> pgbench -i -s $scale"
psql_admin -c "CREATE DATABASE bench"
"$pg_bin/pgbench" -q -i -s "$scale" "$base/bench" >/dev/null 2>&1

"$lifeboat" key generate --output "$work/key" >/dev/null
cat > "$work/lifeboat.yml" <<YAML
cluster: bench
postgres:
  url: "$url"
repository:
  url: "file://$work/repo"
encryption:
  key_file: $work/key
compression: { algorithm: zstd, level: 3 }
wal: { partial_every: $every }
YAML
export LIFEBOAT_CONFIG="$work/lifeboat.yml"
"$lifeboat" init >/dev/null
TMPDIR="$work" "$lifeboat" --no-progress wal receive 2>"$work/receive.log" &
receiver=$!
for _ in $(seq 100); do
    [ "$(psql_admin -c "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'lifeboat wal receive'")" = 1 ] && break
    sleep 0.1
done

echo "==> pgbench -c $clients -T $seconds with the receiver streaming (partial_every $every)"
start_lsn="$(psql_admin -c "SELECT pg_current_wal_lsn()")"
"$pg_bin/pgbench" -n -c "$clients" -T "$seconds" "$base/bench" > "$work/pgbench.out" 2>&1 &
bench=$!
sample="SELECT pg_current_wal_lsn() - sent_lsn, sent_lsn - write_lsn, pg_current_wal_lsn() - flush_lsn,
               coalesce(extract(epoch FROM flush_lag), 0)
        FROM pg_stat_replication WHERE application_name = 'lifeboat wal receive'"
while kill -0 "$bench" 2>/dev/null; do
    psql_admin -F ' ' -c "$sample" >> "$work/samples" || true
    sleep 1
done
wait "$bench"
end_lsn="$(psql_admin -c "SELECT pg_current_wal_lsn()")"
wal_mib="$(psql_admin -c "SELECT round((pg_wal_lsn_diff('$end_lsn', '$start_lsn') / 1048576)::numeric, 1)")"
sleep 3
"$lifeboat" --no-progress status --json > "$work/status.json" 2>/dev/null || true
kill "$receiver"; wait "$receiver" || true; receiver=""

tps="$(awk '/^tps/ { print $3; exit }' "$work/pgbench.out")"
stats() {   # column of samples -> "median max"
    awk -v c="$1" '{ print $c }' "$work/samples" | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "- -"; else print v[int((NR + 1) / 2)], v[NR] }'
}
read -r unsent_med unsent_max < <(stats 1)
read -r unwritten_med unwritten_max < <(stats 2)
read -r uncommitted_med uncommitted_max < <(stats 3)
read -r flush_med flush_max < <(stats 4)
status_lag="$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])).get("receiver") or {}; print(r.get("lag_bytes","-"), r.get("lag_seconds","-"))' "$work/status.json" 2>/dev/null || echo "- -")"
segments="$(find "$work/repo/wal" -name '*.meta.lbx' | wc -l)"
echo
printf 'pgbench -c %s -T %s (scale %s): %s tps, %s MiB of WAL (%s MiB/s); %s segments archived by the receiver\n' \
    "$clients" "$seconds" "$scale" "$tps" "$wal_mib" "$(awk -v m="$wal_mib" -v s="$seconds" 'BEGIN { printf "%.1f", m / s }')" "$segments"
printf '%-58s %12s %12s\n' "receiver lag, sampled every second (${seconds} samples)" "median" "max"
printf '%-58s %12s %12s\n' "bytes the server had not sent yet" "$unsent_med" "$unsent_max"
printf '%-58s %12s %12s\n' "bytes sent, not yet reported written (reports: each commit)" "$unwritten_med" "$unwritten_max"
printf '%-58s %12s %12s\n' "bytes not yet committed to the repository (slot keeps them)" "$uncommitted_med" "$uncommitted_max"
in_seconds() { awk -v b="$1" -v m="$wal_mib" -v s="$seconds" 'BEGIN { if (b == "-" || m == 0) print "-"; else printf "%.2f", b / (m * 1048576 / s) }'; }
printf '%-58s %12s %12s\n' "  the same in seconds of WAL at the average WAL rate" "$(in_seconds "$uncommitted_med")" "$(in_seconds "$uncommitted_max")"
printf '%-58s %12s %12s\n' "flush_lag seconds (server flush -> repository commit ack)" "$flush_med" "$flush_max"
echo "lifeboat status after the load: receiver lag_bytes lag_seconds = $status_lag"
echo "The receiver acknowledges a position as flushed only once it is in the repository, so flush_lag is bounded"
echo "by wal.partial_every ($every) plus the time to seal and store one partial or segment. Target: ≤ 2 s."
