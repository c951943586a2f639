#!/usr/bin/env bash
# bench.sh logical [SCALE]: logical backup and restore speed and memory, side by side with what users would
# run instead, on the same pgbench database in one run:
#   backup:  pg_dump -Fc to a file · pg_dump -Fc -Z0 | zstd -3 | openssl enc (the hand-made pipeline) · lifeboat backup
#   restore: pg_restore from the pg_dump -Fc file · lifeboat restore (--jobs 1 and --jobs 2)
# Prints the median of BENCH_RUNS (default 3) wall times, peak RSS and ratios against pg_dump -Fc / pg_restore.
# SCALE defaults to 30 (~450 MB of data). The restore targets are recreated before every run.
# Everything runs on a scratch PostgreSQL 15 and a scratch repository, removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
mode="${1:-logical}"
scale="${2:-30}"
[ "$mode" = "logical" ] || { echo "usage: scripts/bench.sh logical [SCALE]" >&2; exit 2; }

bash scripts/setup.sh
swift build -c release >/dev/null
lifeboat="$(swift build -c release --show-bin-path)/lifeboat"
pg_bin=/usr/lib/postgresql/15/bin

work="$(mktemp -d /tmp/lifeboat-bench.XXXXXX)"
chmod 755 "$work"
cleanup() { bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM
mkdir -p "$work/pg" && chmod 755 "$work/pg"
bash scripts/pg-scratch.sh start "$work/pg" >/dev/null
url="$(bash scripts/pg-scratch.sh url "$work/pg")"
base="${url%/*}"

echo "==> pgbench -i -s $scale"
"$pg_bin/psql" -X -q "$url" -c "CREATE DATABASE bench"
"$pg_bin/pgbench" -q -i -s "$scale" "$base/bench" >/dev/null 2>&1
"$pg_bin/psql" -X -q "$base/bench" -c "VACUUM ANALYZE"
size="$("$pg_bin/psql" -X -tA "$base/bench" -c "SELECT pg_size_pretty(pg_database_size('bench'))")"

"$lifeboat" key generate --output "$work/key" >/dev/null
cat > "$work/lifeboat.yml" <<YAML
cluster: bench
postgres:
  url: "$base/bench"
repository:
  url: "file://$work/repo"
encryption:
  key_file: $work/key
compression: { algorithm: zstd, level: 3 }
backup:
  databases: [bench]
YAML
export LIFEBOAT_CONFIG="$work/lifeboat.yml"
"$lifeboat" init >/dev/null
export BENCH_PASS="bench-only-passphrase"

runs="${BENCH_RUNS:-3}"
# measure CMD [SETUP]: runs SETUP then CMD $runs times; prints the median wall time and the largest peak RSS.
measure() {
    local results=()
    for _ in $(seq "$runs"); do
        [ -z "${2:-}" ] || bash -c "$2" >/dev/null 2>&1
        results+=("$(python3 "$root/scripts/measure.py" "$1")")
    done
    printf '%s\n' "${results[@]}" | sort -n | awk '{ t[NR] = $1; if ($2 > m) m = $2 } END { print t[int((NR + 1) / 2)], m }'
}
row() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" 'BEGIN { printf "%-44s %8.2f s %9.1f MiB %7.2fx\n", n, t, m / 1024, t / b }'; }

echo "==> backup (database $size)"
read -r t_floor m_floor < <(measure "$pg_bin/pg_dump -Fc -Z0 '$base/bench' > /dev/null")
read -r t_fc m_fc < <(measure "$pg_bin/pg_dump -Fc -f $work/bench.dump '$base/bench'")
read -r t_pipe m_pipe < <(measure "$pg_bin/pg_dump -Fc -Z0 '$base/bench' | zstd -q -3 | openssl enc -aes-256-ctr -pbkdf2 -pass env:BENCH_PASS -out $work/bench.zst.enc")
read -r t_lb m_lb < <(measure "'$lifeboat' --quiet backup")
stored="$(du -sh "$work/repo/backups" | cut -f1)"

echo "==> restore"
fresh() { echo "$pg_bin/psql -X -q '$url' -c 'DROP DATABASE IF EXISTS $1' -c 'CREATE DATABASE $1'"; }
read -r t_pr m_pr < <(measure "$pg_bin/pg_restore -d '$base/r_pgrestore' $work/bench.dump" "$(fresh r_pgrestore)")
read -r t_lr1 m_lr1 < <(measure "'$lifeboat' --quiet restore latest --target '$base/r_lb1'" "$(fresh r_lb1)")
read -r t_lr2 m_lr2 < <(measure "'$lifeboat' --quiet restore latest --target '$base/r_lb2' --jobs 2 --spool-dir $work" "$(fresh r_lb2)")

echo
printf '%-44s %10s %13s %8s\n' "backup of pgbench scale $scale ($size)" "wall" "peak RSS" "ratio"
row "(floor: pg_dump -Fc -Z0 > /dev/null)" "$t_floor" "$m_floor" "$t_fc"
row "pg_dump -Fc > file" "$t_fc" "$m_fc" "$t_fc"
row "pg_dump -Z0 | zstd -3 | openssl enc" "$t_pipe" "$m_pipe" "$t_fc"
row "lifeboat backup (zstd 3, AES-256-GCM; $stored)" "$t_lb" "$m_lb" "$t_fc"
printf '%-44s %10s %13s %8s\n' "restore" "" "" ""
row "pg_restore -d (from the -Fc file)" "$t_pr" "$m_pr" "$t_pr"
row "lifeboat restore --jobs 1 (+verify, counts)" "$t_lr1" "$m_lr1" "$t_pr"
row "lifeboat restore --jobs 2 (spool, counts)" "$t_lr2" "$m_lr2" "$t_pr"
echo
echo "median of $runs runs (BENCH_RUNS); ratios are wall time relative to pg_dump -Fc (backup) and pg_restore"
echo "(restore); lower is better. Peak RSS is the largest single process of the command (measure.py)."
