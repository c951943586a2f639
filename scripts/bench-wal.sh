# bench-wal.sh: the `wal` mode of bench.sh (sourced by it: $root, $work, $lifeboat, $pg_bin are set, and its
# cleanup stops the server, the S3 test server and the cgroup). See bench.sh's header for what it measures.
nseg="${2:-500}"
with_pgbackrest

mkdir -p "$work/pg"
bash "$root/scripts/pg-scratch.sh" start "$work/pg" >/dev/null
url="$(bash "$root/scripts/pg-scratch.sh" url "$work/pg")"
port="$(cat "$work/pg/port")"
pgwal="$work/pg/data/pg_wal"

# CPU of everything the server starts: its processes move into a cpuacct cgroup, which children inherit
# (archive_command, the detached pushers, pgBackRest's async workers; a new session keeps the cgroup).
bench_cgroup=""
if mkdir "/sys/fs/cgroup/cpuacct/lifeboat-bench-$$" 2>/dev/null; then
    bench_cgroup="/sys/fs/cgroup/cpuacct/lifeboat-bench-$$"
    for pid in $(pgrep -f -- "-D $work/pg/data" || true) $(pgrep -P "$(head -1 "$work/pg/data/postmaster.pid")" || true); do
        echo "$pid" > "$bench_cgroup/cgroup.procs" 2>/dev/null || true
    done
fi
cpu_ns() { if [ -n "$bench_cgroup" ]; then cat "$bench_cgroup/cpuacct.usage"; else echo 0; fi; }

echo "==> writing a backlog of $nseg segments (archiving paused)"
psql_admin -c "ALTER SYSTEM SET wal_keep_size = '$(( (nseg + 64) * 16 ))MB'" -c "SELECT pg_reload_conf()" >/dev/null
set_archive_command ""
# The replay measurement starts from a plain base backup taken here, with its own WAL (-X fetch: archiving is
# paused, and -X none would wait for it); recovery then fetches the backlog through each restore_command.
mkdir -p "$work/base" && own "$work/base" && chmod 700 "$work/base"
(cd "$work" && $as_pg "$pg_bin/pg_basebackup" -d "$url" -D "$work/base" -Fp -X fetch -c fast >/dev/null)
psql_admin -c "SELECT pg_switch_wal()" >/dev/null
first="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_walfile_name(pg_current_wal_lsn())")"
psql_admin -c "CREATE TABLE bench_fill (i bigint, a text, r float8)"
while :; do
    current="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_walfile_name(pg_current_wal_lsn())")"
    done_count=$(( 16#${current:16:8} - 16#${first:16:8} + (16#${current:8:8} - 16#${first:8:8}) * 256 ))
    [ "$done_count" -lt "$nseg" ] || break
    psql_admin -c "INSERT INTO bench_fill SELECT i, md5(i::text) || md5((i * 7)::text), random() FROM generate_series(1, 300000) AS i"
done
last="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_walfile_name(pg_switch_wal())")"
mapfile -t backlog < <(cd "$pgwal/archive_status" && ls | sed -n 's/^\([0-9A-F]\{24\}\)\.ready$/\1/p' | sort | awk -v f="$first" -v l="$last" '$1 >= f && $1 <= l')
nseg="${#backlog[@]}"
echo "    $nseg segments, $first … $last"

# Repositories and configurations.
mkdir -p "$work/lb" "$work/pgbr"
"$lifeboat" key generate --output "$work/lb/key" >/dev/null
s3_env=""
if bash "$root/scripts/s3-test-server.sh" start "$work/s3" >/dev/null 2>&1; then
    # shellcheck disable=SC1091
    . "$work/s3/env"
    printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" > "$work/lb/aws"
    chmod 600 "$work/lb/aws"
    s3_env="AWS_SHARED_CREDENTIALS_FILE=$work/lb/aws AWS_PROFILE=default "
fi
lb_config() {   # NAME REPO-YAML WAL-YAML
    cat > "$work/lb/$1.yml" <<YAML
cluster: bench
postgres:
  url: "$url"
  bin_dir: $pg_bin
repository:
$2
encryption:
  key_file: $work/lb/key
compression: { algorithm: zstd, level: 3 }
wal: $3
YAML
}
pgbr_config sync n warn
pgbr_config async y warn

# A lifeboat pusher idles 10 s after a drain before it exits. Left running, it would push the next drain's
# backlog (marked .ready again) into the re-created repository with the old one's key, and its CPU would count
# there: so it is stopped (its pid is in pusher.json; the work is done) and its lock awaited.
stop_lb_pusher() {
    local spool="$work/lb/spool/bench" pid
    [ -e "$spool/pusher.lock" ] || return 0
    pid="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$spool/pusher.json" 2>/dev/null || true)"
    if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "wal pusher --pg-wal $pgwal"; then
        kill -TERM "$pid" 2>/dev/null || true
    fi
    timeout 30 "$(command -v flock.real || command -v flock)" "$spool/pusher.lock" true || echo "bench: a wal pusher outlived its drain" >&2
}

# drain LABEL ARCHIVE_COMMAND RESET: resets the repository, marks the backlog .ready again, lets the archiver
# drain it through ARCHIVE_COMMAND and prints "LABEL seconds cpu_ms_per_segment".
drain() {
    set_archive_command ""
    bash -c "$3" >/dev/null
    own "$work/lb" "$work/pgbr"
    for name in "${backlog[@]}"; do
        [ ! -e "$pgwal/archive_status/$name.done" ] || mv "$pgwal/archive_status/$name.done" "$pgwal/archive_status/$name.ready"
    done
    local start cpu0 end cpu1
    cpu0="$(cpu_ns)"; start="$(date +%s.%N)"
    set_archive_command "$2"
    local deadline=$(( $(date +%s) + 1800 ))
    until [ -e "$pgwal/archive_status/$last.done" ]; do
        if [ "$(date +%s)" -gt "$deadline" ]; then echo "bench: $1 did not drain in 30 min (see $work/pg/log)" >&2; tail -5 "$work/pg/log" >&2; return 1; fi
        sleep 0.05
    done
    end="$(date +%s.%N)"; cpu1="$(cpu_ns)"
    set_archive_command ""
    stop_lb_pusher
    awk -v n="$1" -v s="$start" -v e="$end" -v c0="$cpu0" -v c1="$cpu1" -v k="$nseg" -v cg="$bench_cgroup" 'BEGIN {
        printf "%-52s %8.2f s %8.1f seg/s %10s\n", n, e - s, k / (e - s), cg == "" ? "n/a" : sprintf("%.1f ms", (c1 - c0) / 1e6 / k) }'
}
lb_reset() { echo "rm -rf $work/lb/repo $work/lb/spool; '$lifeboat' --config $work/lb/$1.yml --quiet init"; }
pgbr_reset() { echo "rm -rf $work/pgbr/repo-$1 $work/pgbr/spool-$1; mkdir -p $work/pgbr/repo-$1 $work/pgbr/spool-$1; $( [ "$(id -u)" -eq 0 ] && echo "chown -R postgres: $work/pgbr;" ) cd $work && $as_pg pgbackrest --config=$work/pgbr/$1.conf --stanza=bench stanza-create"; }
file_repo="  url: \"file://$work/lb/repo\""
lb_config file-sync "$file_repo" "{ push_parallel: 4 }"
lb_config file-async "$file_repo" "{ async: true, spool_dir: $work/lb/spool, push_parallel: 2 }"
lb_config file-async-3 "$file_repo" "{ async: true, spool_dir: $work/lb/spool, push_parallel: 2, compression_level: 3 }"
s3_repo="  url: \"s3://${LIFEBOAT_TEST_S3_BUCKET:-none}/bench-0\"
  endpoint: \"${LIFEBOAT_TEST_S3_ENDPOINT:-http://127.0.0.1:1}\"
  region: ${LIFEBOAT_TEST_S3_REGION:-us-east-1}"
lb_config s3-sync "$s3_repo" "{ push_parallel: 4 }"
lb_config s3-async "$s3_repo" "{ async: true, spool_dir: $work/lb/spool, push_parallel: 2 }"
lb_cmd() { echo "$s3_env$lifeboat --config $work/lb/$1.yml --no-progress wal push %p"; }

# The replay measurement reads repositories of its own, filled here by each tool's synchronous push of the first
# segments of the backlog (the drains below reset theirs, and a detached async pusher may outlive its drain).
replay_segments="${BENCH_REPLAY_SEGMENTS:-200}"
# Recovery stops at the first byte after the range, so the segment after it must be archived too.
[ "$replay_segments" -lt "$nseg" ] || replay_segments=$(( nseg - 1 ))
lb_config replay "  url: \"file://$work/lb/replay-repo\"" "{ push_parallel: 0 }"
pgbr_config replay n warn
echo "==> filling the replay repositories with $(( replay_segments + 1 )) segments"
bash -c "$(lb_reset replay)" >/dev/null
bash -c "$(pgbr_reset replay)" >/dev/null
own "$work/lb" "$work/pgbr"
for name in "${backlog[@]:0:$(( replay_segments + 1 ))}"; do
    (cd "$work" && $as_pg "$lifeboat" --config "$work/lb/replay.yml" --quiet wal push "$pgwal/$name")
    (cd "$work" && $as_pg pgbackrest --config="$work/pgbr/replay.conf" --stanza=bench archive-push "$pgwal/$name")
done

rows=()
# BENCH_WAL_DRAINS=0 skips the drains (replay and the level table only: quicker while working on `wal get`).
if [ "${BENCH_WAL_DRAINS:-1}" != 0 ]; then
echo "==> draining the backlog through each archive_command"
rows+=("$(drain "pgbackrest archive-push (sync), file" "pgbackrest --config=$work/pgbr/sync.conf --stanza=bench archive-push %p" "$(pgbr_reset sync)")")
rows+=("$(drain "pgbackrest archive-async=y process-max=2, file" "pgbackrest --config=$work/pgbr/async.conf --stanza=bench archive-push %p" "$(pgbr_reset async)")")
rows+=("$(drain "lifeboat wal push (sync, push_parallel 4), file" "$(lb_cmd file-sync)" "$(lb_reset file-sync)")")
rows+=("$(drain "lifeboat wal push (async, push_parallel 2), file" "$(lb_cmd file-async)" "$(lb_reset file-async)")")
rows+=("$(drain "lifeboat async, wal.compression_level 3, file" "$(lb_cmd file-async-3)" "$(lb_reset file-async-3)")")
if [ -n "$s3_env" ]; then
    s3_reset() { echo "sed -i \"s|bench-[0-9]*|bench-\$RANDOM\$RANDOM|\" $work/lb/$1.yml; rm -rf $work/lb/spool; $s3_env'$lifeboat' --config $work/lb/$1.yml --quiet init"; }
    rows+=("$(drain "lifeboat wal push (sync, push_parallel 4), S3" "$(lb_cmd s3-sync)" "$(s3_reset s3-sync)")")
    rows+=("$(drain "lifeboat wal push (async, push_parallel 2), S3" "$(lb_cmd s3-async)" "$(s3_reset s3-async)")")
fi
fi

# replay LABEL NAME RESTORE_COMMAND: the base backup copied, started with RESTORE_COMMAND, recovering until it
# reaches the end of the replay range and promotes; prints "LABEL seconds segments/s".
replay_end="${backlog[$(( replay_segments - 1 ))]}"
# The first byte after the range's last segment (timeline 1, 16 MiB segments): recovery stops there.
replay_lsn="$(printf '%X/%X' "$(( 16#${replay_end:8:8} + (16#${replay_end:16:8} + 1) / 256 ))" "$(( ((16#${replay_end:16:8} + 1) % 256) * 16#1000000 ))")"
replay() {
    local dir="$work/restore-replay-$2" rport start end
    rport="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    rm -rf "$dir" && cp -a "$work/base" "$dir"
    cat >> "$dir/postgresql.auto.conf" <<CONF
port = $rport
archive_mode = off
restore_command = '$3'
recovery_target_lsn = '$replay_lsn'
recovery_target_inclusive = off
recovery_target_action = 'promote'
CONF
    touch "$dir/recovery.signal" && own "$dir" && chmod 700 "$dir"
    mkdir -p "$work/replay-logs" && own "$work/replay-logs"
    sync && echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
    start="$(date +%s.%N)"
    (cd "$work" && $as_pg "$pg_bin/pg_ctl" -D "$dir" -l "$work/replay-logs/$2.log" -w -t 900 start >/dev/null)
    until [ "$("$pg_bin/psql" -X -tA "postgresql://postgres@127.0.0.1:$rport/postgres" -c "SELECT pg_is_in_recovery()" 2>/dev/null)" = "f" ]; do
        if ! [ -f "$dir/postmaster.pid" ]; then
            echo "bench: $1 stopped" >&2; tail -5 "$work/replay-logs/$2.log" >&2
            cp "$work/replay-logs/$2.log" /tmp/x/replay-$2.log 2>/dev/null || true
            printf '%-52s %10s\n' "$1" "failed"; return 0
        fi
        sleep 0.05
    done
    end="$(date +%s.%N)"
    (cd "$work" && $as_pg "$pg_bin/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1) || true
    rm -rf "$dir"
    awk -v n="$1" -v s="$start" -v e="$end" -v k="$replay_segments" 'BEGIN {
        printf "%-52s %8.2f s %8.1f seg/s\n", n, e - s, k / (e - s) }'
}
# WAL compression level: the first BENCH_LEVEL_SEGMENTS (default 50) segments of the backlog pushed one process
# at a time (no parallel push) into a fresh repository per level of BENCH_WAL_LEVELS (default "1 3 -1"); prints
# the stored bytes (sealed objects and records) against the WAL's, and the CPU per segment of the `wal push`
# processes (user + system of the children, from `times`).
levels=()
level_segments="${BENCH_LEVEL_SEGMENTS:-50}"
[ "$level_segments" -le "$nseg" ] || level_segments="$nseg"
for level in ${BENCH_WAL_LEVELS-1 3 -1}; do
    lb_config "level$level" "  url: \"file://$work/lb/level-repo\"" "{ push_parallel: 0, compression_level: $level }"
    rm -rf "$work/lb/level-repo"
    bash -c "$(lb_reset "level$level")" >/dev/null
    own "$work/lb"
    cpu="$( (for name in "${backlog[@]:0:$level_segments}"; do
        (cd "$work" && $as_pg "$lifeboat" --config "$work/lb/level$level.yml" --quiet wal push "$pgwal/$name")
    done; times) | tail -1)"
    stored="$(find "$work/lb/level-repo/wal" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')"
    levels+=("$(awk -v l="$level" -v c="$cpu" -v s="$stored" -v k="$level_segments" 'BEGIN {
        split(c, t, " "); cpu = 0
        for (i = 1; i <= 2; i++) { split(t[i], p, "m"); cpu += p[1] * 60 + p[2] }
        printf "%-52s %9.1f %% %9.2f MiB %8.1f ms\n", "wal.compression_level " l, 100 * s / (k * 16777216),
            s / k / 1048576, 1000 * cpu / k }')")
done
rm -rf "$work/lb/level-repo"

replays=()
echo "==> replaying $replay_segments segments from each file repository (start → promoted)"
own "$work/lb" "$work/pgbr"
replays+=("$(replay "pgbackrest archive-get (archive-async=y)" pgbr "pgbackrest --config=$work/pgbr/replay.conf --stanza=bench --archive-async --pg1-path=$work/restore-replay-pgbr archive-get %f \"%p\"")")
replays+=("$(replay "lifeboat wal get (prefetch 8)" lb "$lifeboat --config $work/lb/replay.yml --no-progress wal get %f %p")")

if [ "${#rows[@]}" -gt 0 ]; then
echo
printf '%-52s %10s %14s %10s\n' "archiver draining $nseg segments of 16 MiB" "wall" "throughput" "CPU/seg"
printf '%s\n' "${rows[@]}"
echo
echo "One run each (noisy on a shared machine). CPU/seg: CPU time of every process of the server's cgroup during"
echo "the drain (archiver, archive_command, pushers, pgBackRest workers, the server's own work) per segment."
echo "Encrypted repositories (pgBackRest $pgbr_version aes-256-cbc; lifeboat AES-256-GCM); pgBackRest zstd level 3,"
echo "lifeboat WAL at its default wal.compression_level 1 (one row at 3, pgBackRest's level)."
echo "pgBackRest on S3 is not measured: it needs TLS and the S3 test server is plain HTTP."
fi
echo
printf '%-52s %10s %14s\n' "recovery replaying $replay_segments segments (to $replay_lsn)" "wall" "throughput"
printf '%s\n' "${replays[@]}"
echo "From a pg_basebackup taken before the backlog, page cache dropped first; start → promoted (pg_is_in_recovery"
echo "false). Each tool reads a repository its synchronous push filled (encrypted; zstd 3, lifeboat's WAL 1); pgBackRest with"
echo "archive-async (its prefetch queue), lifeboat with wal.prefetch 8."
if [ "${#levels[@]}" -gt 0 ]; then
    echo
    printf '%-52s %11s %13s %11s\n' "wal push of $level_segments segments, one at a time" "stored" "per segment" "CPU/seg"
    printf '%s\n' "${levels[@]}"
    echo "Stored: sealed objects and records against the WAL's 16 MiB per segment; CPU: user + system of the wal push"
    echo "processes (start-up included), the same WAL as the drains."
fi
