# bench-snapshot.sh: `scripts/bench.sh snapshot [SCALE…]` (sourced by bench.sh, which has built lifeboat and defined
# work, root, pg_bin, runs, measure, row, with_pgbackrest, pgbr_config, lifeboat_config, psql_admin,
# set_archive_command and switch_and_wait). Physical snapshot backup and restore against pgBackRest (installed with
# apt-get when missing) on one pgbench database per SCALE (default "50 200"; a scale is skipped, with the reason
# printed, when `df` shows too little free space for it), each on a fresh scratch PostgreSQL 15, in one run:
#   floor:   `pg_basebackup -Ft -X fetch -c fast --manifest-checksums=NONE -D - > /dev/null`, the server's own
#            BASE_BACKUP stream thrown away (-X fetch: no wait for archiving, whose one-second naps -X none would add)
#   backup:  `pgbackrest backup --type=full` vs `lifeboat backup --type snapshot` (archive_command switched to each
#            tool's WAL push in turn; each backup waits until its WAL is archived)
#   restore: `pgbackrest restore` vs `lifeboat restore latest --data-dir`, the command alone, then again with starting
#            the server and recovering until promoted; the two tools' runs alternate, each after a sync (syncfs and
#            fsync would otherwise also write the previous run's or the deletion's dirty pages)
#   WAL push (first scale only): BENCH_WAL_SEGMENTS (default 40) archived segments, one process per segment as
#            PostgreSQL runs them.
# Lifeboat's snapshot runs with the default backup.threads (one per core), then again with threads: 1.
# Per scale: median of BENCH_RUNS wall times, throughput (database MB / wall s), peak RSS, ratios vs pgBackRest and
# vs the floor; at the end one line per scale, so the trend with size and the distance to the floor are visible.
scales="${*:-50 200}"
for scale in $scales; do
    [[ "$scale" =~ ^[1-9][0-9]*$ ]] || { echo "bench: snapshot scale '$scale' is not a positive integer" >&2; exit 2; }
done
nseg="${BENCH_WAL_SEGMENTS:-40}"
with_pgbackrest
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# free_mib: free space where everything of the benchmark is written.
free_mib() { df -Pm "$work" | awk 'NR == 2 { print $4 }'; }
# need_mib SCALE: the database (~15 MiB per scale), its WAL, two restored copies, and $runs stored backups per tool.
need_mib() { awk -v s="$1" -v r="$runs" 'BEGIN { printf "%d", s * 15 * (4 + r * 0.1) + 2048 }'; }
summary=()

# snapshot_scale SCALE FIRST: the whole comparison on a fresh cluster holding pgbench of SCALE; FIRST=1 also
# collects the WAL segments of the load and runs the WAL push comparison.
snapshot_scale() {
    local scale="$1" first="$2"
    bash "$root/scripts/pg-scratch.sh" stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work/pg" "$work/lb" "$work/pgbr" "$work"/restore-*
    mkdir -p "$work/pg" "$work/walsrc" && own "$work/walsrc"
    bash "$root/scripts/pg-scratch.sh" start "$work/pg" >/dev/null
    url="$(bash "$root/scripts/pg-scratch.sh" url "$work/pg")"
    port="$(cat "$work/pg/port")"

    # The first scale's load is archived by a plain cp: those segments are the input of the WAL push benchmark.
    if [ "$first" = 1 ]; then set_archive_command "test ! -f $work/walsrc/%f && cp %p $work/walsrc/%f"
    else set_archive_command "true"; fi
    echo "==> pgbench -i -s $scale"
    psql_admin -c "CREATE DATABASE bench"
    "$pg_bin/pgbench" -q -i -s "$scale" "${url%/*}/bench" >/dev/null 2>&1
    "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "${url%/*}/bench" -c "VACUUM ANALYZE"
    psql_admin -c "CHECKPOINT"
    switch_and_wait
    # pgbench -i -s 30 writes ~24 segments; copy pgbench_accounts until there are enough for the push benchmark.
    for _ in $(seq 20); do
        [ "$first" = 1 ] || break
        [ "$(find "$work/walsrc" -maxdepth 1 -type f -name '????????????????????????' | wc -l)" -lt "$nseg" ] || break
        "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "${url%/*}/bench" \
            -c "CREATE TABLE bench_walfill AS SELECT * FROM pgbench_accounts" -c "DROP TABLE bench_walfill"
        switch_and_wait
    done
    size="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")"
    mb="$("$pg_bin/psql" -X -tA "$url" -c "SELECT round(sum(pg_database_size(oid)) / 1e6) FROM pg_database")"
    if [ "$first" = 1 ]; then
        mkdir -p "$work/walset"
        find "$work/walsrc" -maxdepth 1 -type f -regextype posix-extended -regex '.*/[0-9A-F]{24}' -printf '%f\n' \
            | sort | head -n "$nseg" | while read -r f; do ln "$work/walsrc/$f" "$work/walset/$f"; done
        own "$work/walset"
        nseg="$(find "$work/walset" -type f | wc -l)"
        [ "$nseg" -gt 0 ] || { echo "bench: no archived WAL segments to push" >&2; exit 1; }
        rm -rf "$work/walsrc"
    fi


    # Lifeboat: one repository for snapshots (archive_command pushes into it), one for the WAL push benchmark.
    mkdir -p "$work/lb"
    "$lifeboat" key generate --output "$work/lb/key" >/dev/null
    for name in snap wal; do lifeboat_config "$work/lb/$name.yml" "$work/lb/repo-$name"; done
    "$lifeboat" --config "$work/lb/snap.yml" --quiet init >/dev/null
    { cat "$work/lb/snap.yml"; echo "backup: { threads: 1 }"; } > "$work/lb/snap1.yml"   # as before backup.threads
    own "$work/lb"
    lb_snap="'$lifeboat' --config $work/lb/snap.yml --no-progress"

    # pgBackRest: the same shape of job (zstd 3, encrypted repository, two processes), one repository per purpose.
    for name in snap wal; do pgbr_config "$name"; done
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
    # reset-dir DIR [mkdir]: stops a server left running in DIR, retires DIR (bench.sh's retire.sh), optionally
    # recreates it empty (0700).
    cat > "$work/reset-dir.sh" <<SH
if [ -f "\$1/postmaster.pid" ]; then cd $work && $as_pg '$pg_bin/pg_ctl' -D "\$1" -m immediate -w stop >/dev/null 2>&1; fi
bash $work/retire.sh "\$1"
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

    if [ "$first" = 1 ]; then
        $as_pg cat "$work/walset"/* > /dev/null   # warm the page cache for both push runs
        echo "==> WAL push: $nseg segments, one process per segment"
        read -r t_pw_br m_pw_br < <(measure "$as_pg bash $work/push-pgbackrest.sh" "bash $work/reset-wal-repos.sh")
        read -r t_pw_lb m_pw_lb < <(measure "$as_pg bash $work/push-lifeboat.sh" "bash $work/reset-wal-repos.sh")
    fi

    echo "==> snapshot backup ($size)"
    set_archive_command "pgbackrest --config=$work/pgbr/snap.conf --stanza=bench archive-push %p"
    $pgbr_snap check >/dev/null
    read -r t_bb m_bb < <(measure "$pgbr_snap --type=full backup")
    set_archive_command "$lifeboat --config $work/lb/snap.yml --no-progress wal push %p"
    switch_and_wait
    # The floor and lifeboat one after the other, with the same archive_command and a warm page cache.
    read -r t_fl m_fl < <(measure "'$pg_bin/pg_basebackup' -d '$url' -Ft -X fetch -c fast --manifest-checksums=NONE -D - > /dev/null")
    read -r t_lb m_lb < <(measure "$lb_snap --quiet backup --type snapshot")
    switch_and_wait
    each() { du -sk "$1" | awk -v r="$runs" '{ printf "%.0f MiB", $1 / 1024 / r }'; }   # $runs backups in each repository
    stored_br="$(each "$work/pgbr/repo-snap/backup")"
    stored_lb="$(each "$work/lb/repo-snap/backups")"
    read -r t_l1 m_l1 < <(measure "'$lifeboat' --config $work/lb/snap1.yml --no-progress --quiet backup --type snapshot")
    switch_and_wait

    echo "==> restore into an empty directory"
    # The two tools' runs alternate (measure_pair): run after run the VM's disk may slow down, and a tool whose
    # runs all came last would pay for it.
    read -r t_br m_br t_lr m_lr < <(measure_pair \
        "$pgbr_snap --pg1-path=$work/restore-br restore" "bash $work/reset-dir.sh $work/restore-br mkdir" \
        "$lb_snap --quiet restore latest --data-dir $work/restore-lb" "bash $work/reset-dir.sh $work/restore-lb")
    bash "$work/reset-dir.sh" "$work/restore-br"; bash "$work/reset-dir.sh" "$work/restore-lb"

    echo "==> restore, start and recover until promoted"
    p1="$(free_port)"; p2="$(free_port)"
    read -r t_bs m_bs t_ls m_ls < <(measure_pair \
        "$as_pg bash $work/pgbackrest-start.sh $work/restore-br $p1" "bash $work/reset-dir.sh $work/restore-br mkdir" \
        "$lb_snap --quiet restore latest --data-dir $work/restore-lb --start --port $p2" "bash $work/reset-dir.sh $work/restore-lb")
    bash "$work/reset-dir.sh" "$work/restore-br"; bash "$work/reset-dir.sh" "$work/restore-lb"

    # srow NAME T RSS_KIB BASE [FLOOR]: wall, database MB/s, peak RSS, ratio vs BASE (pgBackRest), vs FLOOR if given.
    srow() {
        awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v f="${5:-}" -v mb="$mb" 'BEGIN {
            printf "%-46s %7.2f s %7.0f MB/s %8.1f MiB %7.2fx", n, t, mb / t, m / 1024, t / b
            if (f != "") printf " %7.2fx", t / f
            printf "\n" }'
    }
    push() { awk -v n="$1" -v t="$2" -v m="$3" -v b="$4" -v k="$nseg" 'BEGIN { printf "%-46s %7.2f s %7.1f seg/s %6.1f MiB %7.2fx\n", n, t, k / t, m / 1024, t / b }'; }
    echo
    printf '%-46s %9s %12s %12s %8s %8s\n' "snapshot of pgbench scale $scale ($mb MB)" "wall" "throughput" "peak RSS" "vs pgBR" "vs floor"
    srow "pg_basebackup -X fetch -D - >/dev/null (floor)" "$t_fl" "$m_fl" "$t_bb" "$t_fl"
    srow "pgbackrest backup --type=full ($stored_br)" "$t_bb" "$m_bb" "$t_bb" "$t_fl"
    srow "lifeboat backup --type snapshot ($stored_lb)" "$t_lb" "$m_lb" "$t_bb" "$t_fl"
    srow "  the same with backup.threads: 1" "$t_l1" "$m_l1" "$t_bb" "$t_fl"
    printf '%-46s\n' "restore into an empty directory (no start)"
    srow "pgbackrest restore --pg1-path" "$t_br" "$m_br" "$t_br"
    srow "lifeboat restore latest --data-dir" "$t_lr" "$m_lr" "$t_br"
    printf '%-46s\n' "restore + start + recover until promoted"
    srow "pgbackrest restore; pg_ctl start; wait" "$t_bs" "$m_bs" "$t_bs"
    srow "lifeboat restore latest --data-dir --start" "$t_ls" "$m_ls" "$t_bs"
    if [ "$first" = 1 ]; then
        printf '%-46s\n' "WAL push, $nseg segments of 16 MiB, 1 process each"
        push "pgbackrest archive-push (synchronous)" "$t_pw_br" "$m_pw_br" "$t_pw_br"
        push "lifeboat wal push" "$t_pw_lb" "$m_pw_lb" "$t_pw_br"
    fi
    echo
    summary+=("$(awk -v s="$scale" -v mb="$mb" -v f="$t_fl" -v b="$t_bb" -v l="$t_lb" -v m="$m_lb" -v r="$t_lr" -v rb="$t_br" \
        'BEGIN { printf "%6d %8d MB %8.0f MB/s %8.0f MB/s %8.0f MB/s %7.2fx %7.2fx %8.1f MiB %7.2fx", s, mb, mb / f, mb / b, mb / l, l / f, l / b, m / 1024, r / rb }')")
}

first=1
for scale in $scales; do
    need="$(need_mib "$scale")"; free="$(free_mib)"
    if [ "$free" -lt "$need" ]; then
        echo "==> scale $scale skipped: it needs about $((need / 1024)) GiB free in $work, df shows $((free / 1024)) GiB"
        summary+=("$(printf '%6d  skipped: needs ~%d GiB free, df shows %d GiB' "$scale" "$((need / 1024))" "$((free / 1024))")")
        continue
    fi
    snapshot_scale "$scale" "$first"
    first=0
done

echo "snapshot backup by size (medians of $runs runs; MB/s = database MB / wall s)"
printf '%6s %11s %13s %13s %13s %8s %8s %12s %8s\n' "scale" "size" "floor" "pgBackRest" "lifeboat" "vs floor" "vs pgBR" "lifeboat RSS" "restore"
printf '%s\n' "${summary[@]}"
echo
echo "ratio = wall time relative to the row named (lower is better); (N MiB) = stored size of one backup; 'restore'"
echo "= lifeboat restore --data-dir vs pgbackrest restore; $pgbr_version."
echo "Floor: the server's BASE_BACKUP stream alone (pg_basebackup -Ft -X fetch -c fast --manifest-checksums=NONE -D -"
echo "> /dev/null: no compression, encryption or storage; -X fetch adds the backup's own WAL and does not wait for"
echo "archiving). Lifeboat's snapshot is the same stream, compressed, sealed, stored, and then waits for its WAL."
echo "Both tools: zstd level 3, encrypted repository on the local disk (pgBackRest aes-256-cbc, process-max=2, start-fast;"
echo "lifeboat AES-256-GCM, one BASE_BACKUP stream, backup.threads = one per core). Each backup waits until its WAL is"
echo "archived by its own archive_command (switched with ALTER SYSTEM between the two tools). 'no start' times the restore"
echo "command alone; the start rows add starting the server (archive_mode=off) and recovery until promotion."
echo "Peak RSS is the largest single process of the command (measure.py); pgBackRest forks worker processes."
echo "Targets: lifeboat snapshot ≤ 1.1x the floor at scale 200; ≤ 128 MiB peak RSS at every scale."
