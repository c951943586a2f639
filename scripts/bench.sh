#!/usr/bin/env bash
# bench.sh s3 [MIB]: upload and download throughput of a MIB (default 1024) stream through Lifeboat's S3 store
# and through `aws s3 cp`, against the same S3-compatible server (moto, SigV4 on) in one run.
#
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
case "$mode" in
    logical|s3) ;;
    *) echo "usage: scripts/bench.sh logical [SCALE] | s3 [MIB]" >&2; exit 2 ;;
esac

bash scripts/setup.sh
swift build -c release >/dev/null
bin_dir="$(swift build -c release --show-bin-path)"
lifeboat="$bin_dir/lifeboat"
pg_bin=/usr/lib/postgresql/15/bin

work="$(mktemp -d /tmp/lifeboat-bench.XXXXXX)"
chmod 755 "$work"
cleanup() {
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
    bash "$root/scripts/s3-test-server.sh" stop "$work/s3" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

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
rate() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v mib="$5" 'BEGIN { printf "%-34s %7.2f s %8.1f MiB/s %8.1f MiB RSS %6.2fx\n", n, t, mib / t, m / 1024, b / t }'; }

if [ "$mode" = "s3" ]; then
    mib="${2:-1024}"
    command -v aws >/dev/null 2>&1 || python3 -m pip install --quiet awscli || python3 -m pip install --quiet --break-system-packages awscli
    mkdir -p "$work/s3"
    bash scripts/s3-test-server.sh start "$work/s3" >/dev/null
    # shellcheck disable=SC1091
    . "$work/s3/env"
    export LIFEBOAT_BENCH_ENDPOINT="$LIFEBOAT_TEST_S3_ENDPOINT" LIFEBOAT_BENCH_BUCKET="$LIFEBOAT_TEST_S3_BUCKET"
    export AWS_DEFAULT_REGION="$LIFEBOAT_TEST_S3_REGION"
    echo "==> $mib MiB of random data"
    head -c "$((mib << 20))" /dev/urandom > "$work/data"
    aws_cp="aws --endpoint-url $LIFEBOAT_TEST_S3_ENDPOINT s3 cp --only-show-errors"
    read -r t_aws_up m_aws_up < <(measure "$aws_cp --expected-size $((mib << 20)) - s3://$LIFEBOAT_BENCH_BUCKET/bench/aws < $work/data")
    read -r t_lb_up m_lb_up < <(measure "'$bin_dir/s3-bench' put bench/lifeboat < $work/data 2>/dev/null")
    read -r t_aws_down m_aws_down < <(measure "$aws_cp s3://$LIFEBOAT_BENCH_BUCKET/bench/aws - > /dev/null")
    read -r t_lb_down m_lb_down < <(measure "'$bin_dir/s3-bench' get bench/lifeboat 2>/dev/null | cmp - $work/data")
    echo
    printf '%-34s %9s %14s %17s %7s\n' "$mib MiB stream, moto on loopback" "wall" "throughput" "peak" "ratio"
    rate "upload: aws s3 cp -" "$t_aws_up" "$m_aws_up" "$t_aws_up" "$mib"
    rate "upload: lifeboat S3 store" "$t_lb_up" "$m_lb_up" "$t_aws_up" "$mib"
    rate "download: aws s3 cp ... -" "$t_aws_down" "$m_aws_down" "$t_aws_down" "$mib"
    rate "download: lifeboat S3 store (+cmp)" "$t_lb_down" "$m_lb_down" "$t_aws_down" "$mib"
    echo
    echo "median of $runs runs; ratio = throughput relative to aws s3 cp (higher is better). Part size 16 MiB,"
    echo "3 parts in flight up, 4 ranges of 8 MiB ahead down. The lifeboat download is piped into cmp, so its bytes are checked and its RSS is"
    echo "that of the larger process. moto is a Python server, so absolute rates say more about it than about S3."
    exit 0
fi
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
