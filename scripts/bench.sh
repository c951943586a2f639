#!/usr/bin/env bash
# bench.sh s3 [MIB]: upload and download throughput of a MIB (default 1024) stream through Lifeboat's S3 store
# and through `aws s3 cp`, against the same S3-compatible server (moto, SigV4 on) in one run.
#
# bench.sh logical [SCALE] [MIB]: logical backup and restore speed and memory, side by side with what users would
# run instead, on two databases in one run — pgbench of SCALE (default 30, ~450 MB: one big table) and 240
# generated tables of mixed types and sizes (about MIB MiB of table data, default 2048):
#   backup:  pg_dump -Fc to a file · pg_dump -Fd -j 2 to a directory · lifeboat backup --jobs 1 and --jobs 2
#   restore: pg_restore -j 2 from the directory · lifeboat restore --jobs 1 and --jobs 2 (of the --jobs 2 backup)
# Prints the median of BENCH_RUNS (default 3) wall times, peak RSS, ratios against pg_dump -Fd -j 2 / pg_restore
# -j 2, and the largest total size of lifeboat's local files ($TMPDIR) during its parallel runs. Before every
# restore run all restore targets are dropped (so no earlier run's autovacuum is still at work), its own is
# created, and the server is left to settle (autovacuum workers gone, a checkpoint, a sync).
# Everything runs on a scratch PostgreSQL 15 and a scratch repository, removed afterwards.
#
# bench.sh snapshot [SCALE…]: physical snapshot backup and restore against pgBackRest (installed with apt-get when
# missing) and the server's raw BASE_BACKUP stream (the floor), on one pgbench database per SCALE (default "50 200";
# 500 and more run when `df` shows room, else they are skipped with the reason), in one run: `pgbackrest backup
# --type=full` vs `lifeboat backup --type snapshot` vs `pg_basebackup -D - > /dev/null`, `pgbackrest restore` vs
# `lifeboat restore latest --data-dir` (the command alone, then again with starting the server and recovering until
# promoted), and (first scale) WAL push throughput over BENCH_WAL_SEGMENTS (default 40) archived segments, one
# process per segment as PostgreSQL runs them. Median of BENCH_RUNS wall times, MB/s, peak RSS, ratios vs pgBackRest
# and vs the floor, then one line per scale (scripts/bench-snapshot.sh).
#
# bench.sh wal [SEGMENTS]: PostgreSQL's own archiver draining a backlog of SEGMENTS (default 500) WAL segments of
# table data through each archive_command in turn: `lifeboat wal push` synchronous (with its parallel early push)
# and asynchronous (wal.async, push_parallel 2; again with wal.compression_level 3), `pgbackrest archive-push`
# synchronous and archive-async=y with process-max=2 — on a file repository, and (lifeboat only: pgBackRest speaks S3 over TLS only, the test server
# is plain HTTP) on the S3 test server. The backlog is written once with archiving paused (an empty
# archive_command; wal_keep_size keeps every segment), then replayed for each run by turning its `.done` files
# back into `.ready`. Prints segments/s and CPU ms per segment: the CPU of every process of the server's cgroup
# (the archiver's children, detached pushers, pgBackRest's async workers) over the drain, from cgroup v1 cpuacct
# (n/a where it cannot be created). Encryption for both tools; zstd 3 for pgBackRest, lifeboat's default WAL level
# (wal.compression_level 1) but for the row at 3. Then recovery replay: a pg_basebackup
# taken before the backlog, started with each tool's restore_command (`pgbackrest archive-get` with archive-async,
# `lifeboat wal get` with its prefetch) and recovering BENCH_REPLAY_SEGMENTS (default 200) segments until promoted.
# Last, the WAL compression levels BENCH_WAL_LEVELS (default "1 3 -1"): stored size and CPU per segment of `wal push`
# over the first BENCH_LEVEL_SEGMENTS (default 50) segments. BENCH_WAL_DRAINS=0 skips the drains.
#
# bench.sh incremental [SCALE]: incremental snapshots (clustered and scattered change) vs pgBackRest --type=incr:
# stored size and time vs the full, and the chain's restore (scripts/bench-incremental.sh; SCALE defaults to 200).
# BENCH_COMPARE=/path/to/another/lifeboat adds an A/B of that build against this one on identical data, restores
# alternated (scripts/bench-compare.sh): how to tell a change from this machine's noise.
#
# bench.sh wal-receive [SECONDS]: the lag of `lifeboat wal receive` under pgbench load (scripts/bench-wal-receive.sh).
set -euo pipefail
if [ "${1:-}" = "wal-receive" ]; then exec bash "$(dirname "$0")/bench-wal-receive.sh" "${@:2}"; fi
cd "$(dirname "$0")/.."
root="$(pwd)"
mode="${1:-logical}"
scale="${2:-30}"
case "$mode" in
    logical|s3|snapshot|wal) ;;
    incremental) scale="${2:-200}" ;;
    *) echo "usage: scripts/bench.sh logical [SCALE] | s3 [MIB] | snapshot [SCALE…] | wal [SEGMENTS] | incremental [SCALE]" >&2; exit 2 ;;
esac

bash scripts/setup.sh
swift build -c release --static-swift-stdlib --product lifeboat >/dev/null
[ "$mode" != s3 ] || swift build -c release --static-swift-stdlib --product s3-bench >/dev/null
bin_dir="$(swift build -c release --static-swift-stdlib --show-bin-path)"
lifeboat="$bin_dir/lifeboat"
pg_bin=/usr/lib/postgresql/15/bin

work="$(mktemp -d /tmp/lifeboat-bench.XXXXXX)"
chmod 755 "$work"
cleanup() {
    local restored
    for restored in "$work"/restore-*; do   # clusters restored and started by the snapshot mode
        [ -f "$restored/postmaster.pid" ] || continue
        if [ "$(id -u)" -eq 0 ]; then (cd "$work" && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$restored" -m immediate -w stop) >/dev/null 2>&1 || true
        else "$pg_bin/pg_ctl" -D "$restored" -m immediate -w stop >/dev/null 2>&1 || true; fi
    done
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
    bash "$root/scripts/s3-test-server.sh" stop "$work/s3" >/dev/null 2>&1 || true
    if [ -n "${bench_cgroup:-}" ] && [ -d "$bench_cgroup" ]; then   # the wal mode's cgroup: its leftover pushers
        local pid
        for pid in $(cat "$bench_cgroup/cgroup.procs" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        for _ in $(seq 50); do [ -n "$(cat "$bench_cgroup/cgroup.procs" 2>/dev/null)" ] || break; sleep 0.2; done
        rmdir "$bench_cgroup" 2>/dev/null || echo "bench: could not remove $bench_cgroup (processes left in it)" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
# retire.sh DIR: moves a restored directory into $work/trash instead of deleting it; the trash goes when the bench
# ends. Why: ext4 skips inodes freed in the last minute or so when it allocates new ones (recently_deleted), and a
# restore made right after `rm -rf` of the previous one spent over 40 % of its CPU samples there (perf, scale 50),
# its CPU time growing from 1.0 to 2.5 s over five runs: that measures the file system's recent deletions, not the
# tools. When the disk has less than BENCH_TRASH_KEEP_GIB (default 20) GiB free, the trash is emptied first and
# the next run pays that cost again.
cat > "$work/retire.sh" <<SH
[ -e "\$1" ] || exit 0
if [ "\$(df --output=avail -k "$work" | tail -1)" -lt $(( ${BENCH_TRASH_KEEP_GIB:-20} * 1024 * 1024 )) ]; then
    rm -rf "$work/trash"
fi
mkdir -p "$work/trash" && mv "\$1" "$work/trash/\$(date +%s%N)"
SH

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
# measure_pair CMD_A PREP_A CMD_B PREP_B: as measure, for two commands whose runs alternate (A, B, A, B, …), each
# after its PREP and a sync, so both meet the same state of the disk and neither inherits the other's dirty
# pages (the disk of a VM can slow down under sustained writes). Prints "tA rssA tB rssB".
measure_pair() {
    local a=() b=()
    for _ in $(seq "$runs"); do
        bash -c "$2" >/dev/null 2>&1; sync
        a+=("$(python3 "$root/scripts/measure.py" "$1")")
        bash -c "$4" >/dev/null 2>&1; sync
        b+=("$(python3 "$root/scripts/measure.py" "$3")")
    done
    local median='{ t[NR] = $1; if ($2 > m) m = $2 } END { printf "%s %s", t[int((NR + 1) / 2)], m }'
    echo "$(printf '%s\n' "${a[@]}" | sort -n | awk "$median") $(printf '%s\n' "${b[@]}" | sort -n | awk "$median")"
}
row() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" 'BEGIN { printf "%-44s %8.2f s %9.1f MiB %7.2fx\n", n, t, m / 1024, t / b }'; }
rate() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v mib="$5" 'BEGIN { printf "%-34s %7.2f s %8.1f MiB/s %8.1f MiB RSS %6.2fx\n", n, t, mib / t, m / 1024, b / t }'; }

# with_pgbackrest: installs pgBackRest when missing (the snapshot, wal and incremental modes compare with it),
# sets pgbr_version, as_pg (PostgreSQL, archive_command, pgBackRest and `lifeboat wal push` run as the postgres
# OS user when we are root) and own(), and moves into $work (the postgres user must be able to stand in it).
with_pgbackrest() {
    if ! command -v pgbackrest >/dev/null 2>&1; then
        echo "==> installing pgbackrest" >&2
        local sudo_cmd=()
        [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
        export DEBIAN_FRONTEND=noninteractive
        "${sudo_cmd[@]}" apt-get update -qq
        "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends pgbackrest >/dev/null
    fi
    pgbr_version="$(pgbackrest version)"
    as_pg=""
    if [ "$(id -u)" -eq 0 ]; then as_pg="runuser -u postgres --"; fi
    own() { if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$@"; fi; }
    pgbr_cipher="$(openssl rand -hex 32)"
    cd "$work"
}
# pgbr_config NAME [ARCHIVE_ASYNC] [LOG_LEVEL_FILE]: writes $work/pgbr/NAME.conf, pgBackRest's configuration of
# stanza "bench" on the scratch server ($work/pg, $port) with a repository, log, lock and spool directory of its
# own ($work/pgbr/*-NAME). The same shape of job as lifeboat's in every mode: zstd 3, an encrypted repository
# ($pgbr_cipher), two processes. archive-async defaults to n, log-level-file to pgBackRest's own default (info);
# start-fast and retention-full matter only to backups. The caller owns $work/pgbr (own) once it is complete.
pgbr_config() {
    local name="$1" async="${2:-n}" file_level="${3:-info}"
    mkdir -p "$work/pgbr/repo-$name" "$work/pgbr/log-$name" "$work/pgbr/lock-$name" "$work/pgbr/spool-$name"
    cat > "$work/pgbr/$name.conf" <<CONF
[global]
repo1-path=$work/pgbr/repo-$name
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$pgbr_cipher
repo1-retention-full=9999
compress-type=zst
compress-level=3
process-max=2
start-fast=y
archive-async=$async
log-path=$work/pgbr/log-$name
lock-path=$work/pgbr/lock-$name
spool-path=$work/pgbr/spool-$name
log-level-console=warn
log-level-file=$file_level

[bench]
pg1-path=$work/pg/data
pg1-port=$port
pg1-socket-path=$work/pg/sock
pg1-user=postgres
CONF
    chmod 600 "$work/pgbr/$name.conf"
}
# lifeboat_config FILE REPOSITORY: writes a lifeboat configuration of cluster "bench" on the scratch server ($url,
# $pg_bin) to FILE, with the file repository at directory REPOSITORY, encrypted with the key $work/lb/key, zstd 3:
# the same job as pgbr_config's (snapshot and incremental modes).
lifeboat_config() {
    cat > "$1" <<YAML
cluster: bench
postgres:
  url: "$url"
  bin_dir: $pg_bin
repository:
  url: "file://$2"
encryption:
  key_file: $work/lb/key
compression: { algorithm: zstd, level: 3 }
YAML
}
# psql_admin ARGS…: psql on the scratch server's $url, stopping at the first error; set_archive_command CMD:
# changes the server's archive_command and reloads (snapshot, wal and incremental modes).
psql_admin() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }
set_archive_command() { psql_admin -c "ALTER SYSTEM SET archive_command = '$1'" -c "SELECT pg_reload_conf()" >/dev/null; }
# switch_and_wait: closes the current WAL segment and waits until the server reports it archived (snapshot and
# incremental modes). The restore point makes sure there is WAL to switch: right after a switch pg_switch_wal()
# does nothing, and its result names the segment still being written (which would never be archived).
switch_and_wait() {
    local name last
    name="$("$pg_bin/psql" -X -tA -v ON_ERROR_STOP=1 "$url" \
        -c "SELECT pg_walfile_name(pg_switch_wal()) FROM (SELECT pg_create_restore_point('bench') OFFSET 0) AS r")"
    for _ in $(seq 600); do
        last="$("$pg_bin/psql" -X -tA "$url" -c "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")"
        if [[ "$last" > "$name" || "$last" == "$name" ]]; then return 0; fi
        sleep 0.1
    done
    echo "bench: WAL segment $name was not archived within 60 s (archive_command: see $work/pg/log)" >&2
    "$pg_bin/psql" -X "$url" -c "SELECT * FROM pg_stat_archiver" >&2 || true
    ls "$work/pg/data/pg_wal/archive_status" >&2 || true
    ps -eo pid,etime,args | grep -E "archive|wal push" | grep -v grep >&2 || true
    tail -n 20 "$work/pg/log" >&2
    return 1
}
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
    echo "median of $runs runs; ratio = throughput relative to aws s3 cp (higher is better). Lifeboat: repository defaults,"
    echo "8 MiB parts, 16 MiB ranges, 3 in flight (LIFEBOAT_BENCH_PART_SIZE / _RANGE_SIZE / _PARALLEL); aws s3 cp: 8 MiB, 10."
    echo "The lifeboat download is piped into cmp, so its bytes are checked and its RSS is that of the larger process."
    echo "moto bounds both directions: its Python server uses about a core per 100 MiB/s received, and it reads the"
    echo "WHOLE object for every ranged GET, so a download costs (object size / range size) x object size in moto and"
    echo "slows as objects grow; fewer, larger ranges are what wins there. Absolute rates say more about moto than S3."
    exit 0
fi
if [ "$mode" = "wal" ]; then
    # shellcheck source=scripts/bench-wal.sh
    . "$root/scripts/bench-wal.sh"
    exit 0
fi
if [ "$mode" = "incremental" ]; then
    # shellcheck source=scripts/bench-incremental.sh
    . "$root/scripts/bench-incremental.sh"
fi
if [ "$mode" = "snapshot" ]; then
    # shellcheck source=scripts/bench-snapshot.sh
    . "$root/scripts/bench-snapshot.sh" "${@:2}"
    exit 0
fi
mkdir -p "$work/pg" && chmod 755 "$work/pg"
bash scripts/pg-scratch.sh start "$work/pg" >/dev/null
url="$(bash scripts/pg-scratch.sh url "$work/pg")"
base="${url%/*}"
many_mib="${3:-2048}"

# many_tables DB MIB: 240 tables of four shapes (bigint/text/timestamptz/numeric; jsonb/text[]; bytea/date/float;
# a heap with an index), sized unevenly — one table a fifth of the data, ten a fortieth each, the rest small —
# for about MIB MiB of table data, plus a few large objects.
many_tables() {
    "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$base/$1" <<SQL
DO \$\$
DECLARE i int; n bigint; total bigint := $2::bigint * 1048576 / 110;
BEGIN
  FOR i IN 1..240 LOOP
    n := CASE WHEN i = 120 THEN total / 5 WHEN i % 24 = 0 THEN total / 40 ELSE greatest(total * 2 / 5 / 229, 10) END;
    CASE i % 4
    WHEN 0 THEN
      EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, name text, at timestamptz, price numeric(12,2))', i);
      EXECUTE format('INSERT INTO t%s SELECT g, md5(g::text) || repeat(''x'', g %% 40), '
        || 'now() - g * interval ''1 minute'', g / 7.0 FROM generate_series(1, %s) g', i, n);
    WHEN 1 THEN
      EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, doc jsonb, tags text[])', i);
      EXECUTE format('INSERT INTO t%s SELECT g, jsonb_build_object(''k'', g, ''v'', md5(g::text)), '
        || 'ARRAY[left(md5(g::text), 8), ''t'' || g %% 10] FROM generate_series(1, %s) g', i, n);
    WHEN 2 THEN
      EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, b bytea, d date, f float8)', i);
      EXECUTE format('INSERT INTO t%s SELECT g, decode(md5(g::text) || md5((g + 1)::text), ''hex''), '
        || 'date ''2020-01-01'' + g %% 1000, g * 0.25 FROM generate_series(1, %s) g', i, n);
    ELSE
      EXECUTE format('CREATE TABLE t%s (id bigint, parent bigint, note text)', i);
      EXECUTE format('INSERT INTO t%s SELECT g, g / 3, repeat(chr(97 + g %% 26), 20 + g %% 60) '
        || 'FROM generate_series(1, %s) g', i, n);
      EXECUTE format('CREATE INDEX ON t%s (parent)', i);
    END CASE;
  END LOOP;
END \$\$;
SELECT count(lo_from_bytea(0, convert_to(repeat('large object ', 1000 * g), 'UTF8'))) FROM generate_series(1, 5) g;
VACUUM ANALYZE;
SQL
}

# fresh DB: the setup of a restore run (a command line): every restore target dropped (the previous run's too: the
# autovacuum of the 2 GB it just loaded would otherwise run on into the next tool's run and slow it), DB created,
# then the server's autovacuum workers waited for (at most 60 s), a checkpoint and a sync, so each run starts from
# the same quiet server.
fresh() {
    local psql="$pg_bin/psql -X -q '$url'"
    echo "for db in r_pg r_lb1 r_lb2; do $psql -c \"DROP DATABASE IF EXISTS \$db\"; done; $psql -c 'CREATE DATABASE $1'"
    echo "for _ in \$(seq 120); do [ \"\$($psql -tA -c \"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'\")\" = 0 ] && break; sleep 0.5; done"
    echo "$psql -c CHECKPOINT; sync"
}
server_pid="$(head -1 "$work/pg/data/postmaster.pid")"
# measure_cpu CMD [SETUP]: as measure, plus the CPU seconds of the median run's command (with its children:
# pg_dump, pg_restore) and of the server's backends (measure.py).
measure_cpu() {
    local results=()
    for _ in $(seq "$runs"); do
        [ -z "${2:-}" ] || bash -c "$2" >/dev/null 2>&1
        results+=("$(MEASURE_SERVER_PID="$server_pid" python3 "$root/scripts/measure.py" "$1")")
    done
    printf '%s\n' "${results[@]}" | sort -n |
        awk '{ t[NR] = $1; c[NR] = $3; s[NR] = $4; if ($2 > m) m = $2 } END { i = int((NR + 1) / 2); print t[i], m, c[i], s[i] }'
}
rowc() {
    awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v c="$5" -v s="$6" \
        'BEGIN { printf "%-44s %8.2f s %9.1f MiB %7.2fx %8.1f s %8.1f s\n", n, t, m / 1024, t / b, c, s }'
}
report=()
for dataset in pgbench many; do
    "$pg_bin/psql" -X -q "$url" -c "CREATE DATABASE $dataset"
    if [ "$dataset" = pgbench ]; then
        echo "==> pgbench -i -s $scale"
        "$pg_bin/pgbench" -q -i -s "$scale" "$base/$dataset" >/dev/null 2>&1
        "$pg_bin/psql" -X -q "$base/$dataset" -c "VACUUM ANALYZE"
        title="pgbench scale $scale (one big table)"
    else
        echo "==> 240 tables, about $many_mib MiB of table data"
        many_tables "$dataset" "$many_mib" >/dev/null
        title="240 tables of mixed types and sizes"
    fi
    size="$("$pg_bin/psql" -X -tA "$base/$dataset" -c "SELECT pg_size_pretty(pg_database_size('$dataset'))")"
    rm -rf "$work/repo" "$work/key"
    "$lifeboat" key generate --output "$work/key" >/dev/null
    cat > "$work/lifeboat.yml" <<YAML
cluster: bench
postgres:
  url: "$base/$dataset"
repository:
  url: "file://$work/repo"
encryption:
  key_file: $work/key
compression: { algorithm: zstd, level: 3 }
backup:
  databases: [$dataset]
YAML
    export LIFEBOAT_CONFIG="$work/lifeboat.yml"
    "$lifeboat" init >/dev/null
    # Local files of lifeboat's parallel runs go here: its largest total size is reported.
    mkdir -p "$work/tmp"

    echo "==> backup ($dataset, $size)"
    read -r t_fc m_fc c_fc s_fc < <(measure_cpu "$pg_bin/pg_dump -Fc -f $work/dump.fc '$base/$dataset'")
    read -r t_fd m_fd c_fd s_fd < <(measure_cpu "$pg_bin/pg_dump -Fd -j 2 -Z0 -f $work/dump.fd '$base/$dataset'" "rm -rf $work/dump.fd")
    read -r t_lb1 m_lb1 c_lb1 s_lb1 < <(measure_cpu "'$lifeboat' --quiet backup --jobs 1")
    python3 "$root/scripts/dir-peak.py" "$work/tmp" > "$work/tmp-peak" & peak_pid=$!
    read -r t_lb2 m_lb2 c_lb2 s_lb2 < <(measure_cpu "TMPDIR=$work/tmp '$lifeboat' --quiet backup --jobs 2")
    kill "$peak_pid" 2>/dev/null; wait "$peak_pid" 2>/dev/null || true
    peak_backup="$(cat "$work/tmp-peak" 2>/dev/null || echo 0)"

    echo "==> restore ($dataset)"
    read -r t_pr m_pr c_pr s_pr < <(measure_cpu "$pg_bin/pg_restore -j 2 -d '$base/r_pg' $work/dump.fd" "$(fresh r_pg)")
    read -r t_lr1 m_lr1 c_lr1 s_lr1 < <(measure_cpu "TMPDIR=$work/tmp '$lifeboat' --quiet restore latest --target '$base/r_lb1' --jobs 1" "$(fresh r_lb1)")
    python3 "$root/scripts/dir-peak.py" "$work/tmp" > "$work/tmp-peak" & peak_pid=$!
    read -r t_lr2 m_lr2 c_lr2 s_lr2 < <(measure_cpu "TMPDIR=$work/tmp '$lifeboat' --quiet restore latest --target '$base/r_lb2' --jobs 2" "$(fresh r_lb2)")
    kill "$peak_pid" 2>/dev/null; wait "$peak_pid" 2>/dev/null || true
    peak_restore="$(cat "$work/tmp-peak" 2>/dev/null || echo 0)"
    stored="$(du -sh "$work/repo/backups" | cut -f1)"
    for db in r_pg r_lb1 r_lb2 "$dataset"; do "$pg_bin/psql" -X -q "$url" -c "DROP DATABASE IF EXISTS $db"; done
    rm -rf "$work/dump.fc" "$work/dump.fd"

    report+=("$(
        printf '%-44s %10s %13s %8s %10s %10s\n' "backup: $title ($size)" "wall" "peak RSS" "ratio" "CPU" "server CPU"
        rowc "pg_dump -Fc > file" "$t_fc" "$m_fc" "$t_fd" "$c_fc" "$s_fc"
        rowc "pg_dump -Fd -j 2 -Z0 > directory (plaintext)" "$t_fd" "$m_fd" "$t_fd" "$c_fd" "$s_fd"
        rowc "lifeboat backup --jobs 1" "$t_lb1" "$m_lb1" "$t_fd" "$c_lb1" "$s_lb1"
        rowc "lifeboat backup --jobs 2" "$t_lb2" "$m_lb2" "$t_fd" "$c_lb2" "$s_lb2"
        printf '%-44s %10s %13s %8s\n' "restore (stored: $stored for $((2 * runs)) backups)" "" "" ""
        rowc "pg_restore -j 2 (local directory dump)" "$t_pr" "$m_pr" "$t_pr" "$c_pr" "$s_pr"
        rowc "lifeboat restore --jobs 1 (of a --jobs 2 backup)" "$t_lr1" "$m_lr1" "$t_pr" "$c_lr1" "$s_lr1"
        rowc "lifeboat restore --jobs 2" "$t_lr2" "$m_lr2" "$t_pr" "$c_lr2" "$s_lr2"
        echo "largest local footprint of lifeboat (\$TMPDIR): backup --jobs 2 $peak_backup, restore --jobs 2 $peak_restore"
    )")
done

echo
for block in "${report[@]}"; do printf '%s\n\n' "$block"; done
echo "median of $runs runs (BENCH_RUNS); ratios are wall time relative to pg_dump -Fd -j 2 (backup) and pg_restore -j 2"
echo "(restore), lower is better. Peak RSS is the largest single process of the command (measure.py). lifeboat"
echo "compresses (zstd 3) and encrypts; pg_dump -Fd -Z0 writes plaintext to local disk. Restores include lifeboat's"
echo "row-count and settings checks. Targets: backup --jobs 2 <= 1.0x, restore --jobs 2 <= 1.1x, RSS <= 128 MiB."
echo "CPU: user + system seconds of the command and its children (lifeboat with pg_dump or pg_restore); server CPU:"
echo "the backends that served it. Of two cores, wall x 2 is what the machine had."
