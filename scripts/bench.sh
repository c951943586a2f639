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
# -j 2, and the largest total size of lifeboat's local files ($TMPDIR) during its parallel runs. The restore
# targets are recreated before every run.
# Everything runs on a scratch PostgreSQL 15 and a scratch repository, removed afterwards.
#
# bench.sh snapshot [SCALE]: physical snapshot backup and restore against pgBackRest (installed with apt-get when
# missing) on one pgbench database of SCALE (default 30), in one run: `pgbackrest backup --type=full` vs
# `lifeboat backup --type snapshot` (archive_command switched to each tool's WAL push in turn), `pgbackrest
# restore` vs `lifeboat restore latest --data-dir` (the command alone, then again with starting the server and
# recovering until promoted), and WAL push throughput over BENCH_WAL_SEGMENTS (default 40) archived segments,
# one process per segment as PostgreSQL runs them. Median of BENCH_RUNS wall times, peak RSS, ratios vs pgBackRest.
#
# bench.sh wal [SEGMENTS]: PostgreSQL's own archiver draining a backlog of SEGMENTS (default 500) WAL segments of
# table data through each archive_command in turn: `lifeboat wal push` synchronous (with its parallel early push)
# and asynchronous (wal.async, push_parallel 2; again with wal.compression_level 1), `pgbackrest archive-push`
# synchronous and archive-async=y with process-max=2 — on a file repository, and (lifeboat only: pgBackRest speaks S3 over TLS only, the test server
# is plain HTTP) on the S3 test server. The backlog is written once with archiving paused (an empty
# archive_command; wal_keep_size keeps every segment), then replayed for each run by turning its `.done` files
# back into `.ready`. Prints segments/s and CPU ms per segment: the CPU of every process of the server's cgroup
# (the archiver's children, detached pushers, pgBackRest's async workers) over the drain, from cgroup v1 cpuacct
# (n/a where it cannot be created). zstd 3 and encryption for both tools.
#
# bench.sh incremental [SCALE]: incremental snapshots (clustered and scattered change) vs pgBackRest --type=incr:
# stored size and time vs the full, and the chain's restore (scripts/bench-incremental.sh; SCALE defaults to 200).
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
    *) echo "usage: scripts/bench.sh logical [SCALE] | s3 [MIB] | snapshot [SCALE] | wal [SEGMENTS] | incremental [SCALE]" >&2; exit 2 ;;
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
    cd "$work"
}
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
    echo "16 MiB parts and ranges, 3 in flight (LIFEBOAT_BENCH_PART_SIZE / LIFEBOAT_BENCH_PARALLEL); aws s3 cp: 8 MiB, 10."
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
    nseg="${BENCH_WAL_SEGMENTS:-40}"
    with_pgbackrest
    free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

    mkdir -p "$work/pg" "$work/walsrc" && own "$work/walsrc"
    bash "$root/scripts/pg-scratch.sh" start "$work/pg" >/dev/null
    url="$(bash "$root/scripts/pg-scratch.sh" url "$work/pg")"
    port="$(cat "$work/pg/port")"
    psql_admin() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "$url" "$@"; }
    set_archive_command() {
        psql_admin -c "ALTER SYSTEM SET archive_command = '$1'" -c "SELECT pg_reload_conf()" >/dev/null
    }

    # The pgbench load is archived by a plain cp: those segments are the input of the WAL push benchmark.
    set_archive_command "test ! -f $work/walsrc/%f && cp %p $work/walsrc/%f"
    echo "==> pgbench -i -s $scale"
    psql_admin -c "CREATE DATABASE bench"
    "$pg_bin/pgbench" -q -i -s "$scale" "${url%/*}/bench" >/dev/null 2>&1
    "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "${url%/*}/bench" -c "VACUUM ANALYZE"
    psql_admin -c "CHECKPOINT"
    switch_and_wait
    # pgbench -i -s 30 writes ~24 segments; copy pgbench_accounts until there are enough for the push benchmark.
    for _ in $(seq 20); do
        [ "$(find "$work/walsrc" -maxdepth 1 -type f -name '????????????????????????' | wc -l)" -lt "$nseg" ] || break
        "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "${url%/*}/bench" \
            -c "CREATE TABLE bench_walfill AS SELECT * FROM pgbench_accounts" -c "DROP TABLE bench_walfill"
        switch_and_wait
    done
    size="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")"
    mkdir -p "$work/walset"
    find "$work/walsrc" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort | head -n "$nseg" \
        | while read -r f; do ln "$work/walsrc/$f" "$work/walset/$f"; done
    own "$work/walset"
    nseg="$(find "$work/walset" -type f | wc -l)"
    [ "$nseg" -gt 0 ] || { echo "bench: no archived WAL segments to push" >&2; exit 1; }

    # Lifeboat: one repository for snapshots (archive_command pushes into it), one for the WAL push benchmark.
    mkdir -p "$work/lb"
    "$lifeboat" key generate --output "$work/lb/key" >/dev/null
    for name in snap wal; do
        cat > "$work/lb/$name.yml" <<YAML
cluster: bench
postgres:
  url: "$url"
  bin_dir: $pg_bin
repository:
  url: "file://$work/lb/repo-$name"
encryption:
  key_file: $work/lb/key
compression: { algorithm: zstd, level: 3 }
YAML
    done
    "$lifeboat" --config "$work/lb/snap.yml" --quiet init >/dev/null
    own "$work/lb"
    lb_snap="'$lifeboat' --config $work/lb/snap.yml --no-progress"

    # pgBackRest: the same shape of job (zstd 3, encrypted repository, two processes), one repository per purpose.
    cipher="$(openssl rand -hex 32)"
    for name in snap wal; do
        mkdir -p "$work/pgbr/repo-$name" "$work/pgbr/log-$name" "$work/pgbr/lock-$name" "$work/pgbr/spool-$name"
        cat > "$work/pgbr/$name.conf" <<CONF
[global]
repo1-path=$work/pgbr/repo-$name
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$cipher
repo1-retention-full=9999
compress-type=zst
compress-level=3
process-max=2
start-fast=y
archive-async=n
log-path=$work/pgbr/log-$name
lock-path=$work/pgbr/lock-$name
spool-path=$work/pgbr/spool-$name
log-level-console=warn
log-level-file=info

[bench]
pg1-path=$work/pg/data
pg1-port=$port
pg1-socket-path=$work/pg/sock
pg1-user=postgres
CONF
        chmod 600 "$work/pgbr/$name.conf"
    done
    own "$work/pgbr"
    pgbr_snap="$as_pg pgbackrest --config=$work/pgbr/snap.conf --stanza=bench"
    $pgbr_snap stanza-create >/dev/null

    # Helper scripts, run as the postgres OS user where the real thing would be.
    cat > "$work/push-lifeboat.sh" <<SH
set -e
for f in $work/walset/*; do '$lifeboat' --config $work/lb/wal.yml --no-progress wal push "\$f"; done
SH
    cat > "$work/push-pgbackrest.sh" <<SH
set -e
for f in $work/walset/*; do pgbackrest --config=$work/pgbr/wal.conf --stanza=bench archive-push "\$f"; done
SH
    # reset-wal-repos: fresh, empty WAL repositories for both tools before every timed push run.
    cat > "$work/reset-wal-repos.sh" <<SH
set -e
rm -rf $work/lb/repo-wal $work/pgbr/repo-wal
'$lifeboat' --config $work/lb/wal.yml --quiet init >/dev/null
mkdir -p $work/pgbr/repo-wal
$( [ "$(id -u)" -eq 0 ] && echo "chown -R postgres: $work/lb $work/pgbr" )
cd $work && $as_pg pgbackrest --config=$work/pgbr/wal.conf --stanza=bench stanza-create >/dev/null
SH
    # reset-dir DIR [mkdir]: stops a server left running in DIR, removes DIR, optionally recreates it empty (0700).
    cat > "$work/reset-dir.sh" <<SH
if [ -f "\$1/postmaster.pid" ]; then cd $work && $as_pg '$pg_bin/pg_ctl' -D "\$1" -m immediate -w stop >/dev/null 2>&1; fi
rm -rf "\$1"
if [ "\${2:-}" = mkdir ]; then mkdir -m 700 "\$1" && $( [ "$(id -u)" -eq 0 ] && echo "chown postgres: \"\$1\"" || echo true ); fi
SH
    # pgbackrest-start DIR PORT: restore, start (as lifeboat restore --start does: archive_mode=off), wait for promotion.
    cat > "$work/pgbackrest-start.sh" <<SH
set -e
pgbackrest --config=$work/pgbr/snap.conf --stanza=bench --pg1-path="\$1" restore
'$pg_bin/pg_ctl' -D "\$1" -l "\$1/restore.log" -o "-p \$2 -k '\$1' -c listen_addresses=127.0.0.1 -c archive_mode=off" -w -t 300 start >/dev/null
for _ in \$(seq 3000); do
    [ "\$('$pg_bin/psql' -X -tA "postgresql://postgres@127.0.0.1:\$2/postgres" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && exit 0
    sleep 0.1
done
echo "pgbackrest-start: still in recovery after 300 s" >&2; exit 1
SH
    chmod 755 "$work"/*.sh
    $as_pg cat "$work/walset"/* > /dev/null   # warm the page cache for both push runs

    echo "==> WAL push: $nseg segments, one process per segment"
    read -r t_pw_br m_pw_br < <(measure "$as_pg bash $work/push-pgbackrest.sh" "bash $work/reset-wal-repos.sh")
    read -r t_pw_lb m_pw_lb < <(measure "$as_pg bash $work/push-lifeboat.sh" "bash $work/reset-wal-repos.sh")

    echo "==> snapshot backup ($size)"
    set_archive_command "pgbackrest --config=$work/pgbr/snap.conf --stanza=bench archive-push %p"
    $pgbr_snap check >/dev/null
    read -r t_bb m_bb < <(measure "$pgbr_snap --type=full backup")
    set_archive_command "$lifeboat --config $work/lb/snap.yml --no-progress wal push %p"
    switch_and_wait
    read -r t_lb m_lb < <(measure "$lb_snap --quiet backup --type snapshot")
    switch_and_wait
    each() { du -sk "$1" | awk -v r="$runs" '{ printf "%.0f MiB", $1 / 1024 / r }'; }   # $runs backups in each repository
    stored_br="$(each "$work/pgbr/repo-snap/backup")"
    stored_lb="$(each "$work/lb/repo-snap/backups")"

    echo "==> restore into an empty directory"
    read -r t_br m_br < <(measure "$pgbr_snap --pg1-path=$work/restore-br restore" "bash $work/reset-dir.sh $work/restore-br mkdir")
    read -r t_lr m_lr < <(measure "$lb_snap --quiet restore latest --data-dir $work/restore-lb" "bash $work/reset-dir.sh $work/restore-lb")
    bash "$work/reset-dir.sh" "$work/restore-br"; bash "$work/reset-dir.sh" "$work/restore-lb"

    echo "==> restore, start and recover until promoted"
    p1="$(free_port)"; p2="$(free_port)"
    read -r t_bs m_bs < <(measure "$as_pg bash $work/pgbackrest-start.sh $work/restore-br $p1" "bash $work/reset-dir.sh $work/restore-br mkdir")
    bash "$work/reset-dir.sh" "$work/restore-br"
    read -r t_ls m_ls < <(measure "$lb_snap --quiet restore latest --data-dir $work/restore-lb --start --port $p2" "bash $work/reset-dir.sh $work/restore-lb")
    bash "$work/reset-dir.sh" "$work/restore-lb"

    verdict() { awk -v t="$1" -v b="$2" -v m="$3" 'BEGIN { print ((t <= 0.6 * b && m <= 131072) ? "met" : "MISSED") }'; }
    push() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v k="$nseg" 'BEGIN { printf "%-44s %8.2f s %9.1f MiB %7.2fx %8.1f seg/s\n", n, t, m / 1024, t / b, k / t }'; }
    echo
    printf '%-44s %10s %13s %8s\n' "snapshot of pgbench scale $scale ($size)" "wall" "peak RSS" "ratio"
    row "pgbackrest backup --type=full ($stored_br)" "$t_bb" "$m_bb" "$t_bb"
    row "lifeboat backup --type snapshot ($stored_lb)" "$t_lb" "$m_lb" "$t_bb"
    printf '%-44s %10s %13s %8s\n' "restore into an empty directory (no start)" "" "" ""
    row "pgbackrest restore --pg1-path" "$t_br" "$m_br" "$t_br"
    row "lifeboat restore latest --data-dir" "$t_lr" "$m_lr" "$t_br"
    printf '%-44s %10s %13s %8s\n' "restore + start + recover until promoted" "" "" ""
    row "pgbackrest restore; pg_ctl start; wait" "$t_bs" "$m_bs" "$t_bs"
    row "lifeboat restore latest --data-dir --start" "$t_ls" "$m_ls" "$t_bs"
    printf '%-44s %10s %13s %8s %14s\n' "WAL push, $nseg segments of 16 MiB, 1 process each" "" "" "" "throughput"
    push "pgbackrest archive-push (synchronous)" "$t_pw_br" "$m_pw_br" "$t_pw_br"
    push "lifeboat wal push" "$t_pw_lb" "$m_pw_lb" "$t_pw_br"
    echo
    echo "median of $runs runs (BENCH_RUNS); ratio = wall time relative to pgBackRest ($pgbr_version), lower is better;"
    echo "(N MiB) = stored size of one backup."
    echo "Both: zstd level 3, encrypted repository on the local disk (pgBackRest aes-256-cbc, process-max=2, start-fast;"
    echo "lifeboat AES-256-GCM, one BASE_BACKUP stream over a replication connection). Each backup waits until its WAL is archived by its own"
    echo "archive_command (switched with ALTER SYSTEM between the two tools). 'no start' times the restore command alone;"
    echo "the start rows add starting the server (archive_mode=off) and recovery from the archive until promotion."
    echo "Peak RSS is the largest single process of the command (measure.py); pgBackRest forks worker processes."
    echo "Targets: lifeboat ≤ 0.60x pgBackRest wall time and ≤ 128 MiB peak RSS —" \
         "backup $(verdict "$t_lb" "$t_bb" "$m_lb"), restore $(verdict "$t_lr" "$t_br" "$m_lr"), restore+start $(verdict "$t_ls" "$t_bs" "$m_ls")."
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

fresh() { echo "$pg_bin/psql -X -q '$url' -c 'DROP DATABASE IF EXISTS $1' -c 'CREATE DATABASE $1'"; }
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
