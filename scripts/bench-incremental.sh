# bench-incremental.sh: `scripts/bench.sh incremental [SCALE]` (sourced by bench.sh, which has built lifeboat and
# defined work, pg_bin, measure, row, with_pgbackrest, pgbr_config, lifeboat_config, psql_admin, set_archive_command
# and switch_and_wait). Incremental snapshots side by side with pgBackRest's `--type=incr` on one pgbench database of
# SCALE (default 200), on PostgreSQL 15 (page-lsn) unless BENCH_PG_BIN names a 17+ bin directory (lifeboat then uses
# the server's WAL summaries; pgBackRest must support that major):
#   full of both tools; (a) clustered change: the first 1 % of pgbench_accounts by aid updated and 1 % new rows;
#   incremental of both; (b) scattered change: every 100th row (aid % 100 = 0); incremental of both; then a lifeboat
#   full of the same data. Stored size and wall time of each backup (one run each: they change the repository), and
#   the restore of lifeboat's chain (full + 2 incrementals) vs its full of the same data vs pgBackRest's restore of
#   its full+incr set (median of BENCH_RUNS), with the peak RSS of each. BENCH_COMPARE=/path/to/another/lifeboat
#   then adds an A/B of that build against this one on identical data (scripts/bench-compare.sh).
pg_bin="${BENCH_PG_BIN:-$pg_bin}"
export PG_BIN="$pg_bin"   # bench.sh's cleanup stops the scratch server with the same binaries
with_pgbackrest

mkdir -p "$work/pg"
PG_BIN="$pg_bin" bash "$root/scripts/pg-scratch.sh" start "$work/pg" >/dev/null
url="$(bash "$root/scripts/pg-scratch.sh" url "$work/pg")"
port="$(cat "$work/pg/port")"
bench_sql() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 "${url%/*}/bench" -c "$1"; }
major="$("$pg_bin/psql" -X -tA "$url" -c "SHOW server_version_num")"
major=$((major / 10000))
[ "$major" -lt 17 ] || psql_admin -c "ALTER SYSTEM SET summarize_wal = on" -c "SELECT pg_reload_conf()" >/dev/null

echo "==> pgbench -i -s $scale (PostgreSQL $major)"
psql_admin -c "CREATE DATABASE bench"
"$pg_bin/pgbench" -q -i -s "$scale" "${url%/*}/bench" >/dev/null 2>&1
bench_sql "VACUUM ANALYZE"
psql_admin -c "CHECKPOINT"
size="$("$pg_bin/psql" -X -tA "$url" -c "SELECT pg_size_pretty(sum(pg_database_size(oid))) FROM pg_database")"

mkdir -p "$work/lb"
"$lifeboat" key generate --output "$work/lb/key" >/dev/null
lifeboat_config "$work/lb/lifeboat.yml" "$work/lb/repo"
"$lifeboat" --config "$work/lb/lifeboat.yml" --quiet init >/dev/null
own "$work/lb"
lb="'$lifeboat' --config $work/lb/lifeboat.yml --no-progress"

pgbr_config incr
own "$work/pgbr"
pgbr="$as_pg pgbackrest --config=$work/pgbr/incr.conf --stanza=bench"
$pgbr stanza-create >/dev/null

# One backup of each tool, each with its own archive_command (its backup waits for its own WAL). Prints
# "seconds rss_kib" of lifeboat, then of pgBackRest; the lifeboat --json result goes to $work/last.json.
both() {
    local lb_args="$1" br_type="$2" t_lb m_lb t_br m_br
    set_archive_command "$lifeboat --config $work/lb/lifeboat.yml --no-progress wal push %p"
    switch_and_wait
    read -r t_lb m_lb < <(python3 "$root/scripts/measure.py" "$lb --quiet backup --type snapshot --json $lb_args > $work/last.json")
    set_archive_command "pgbackrest --config=$work/pgbr/incr.conf --stanza=bench archive-push %p"
    switch_and_wait
    read -r t_br m_br < <(python3 "$root/scripts/measure.py" "$pgbr --type=$br_type backup")
    echo "$t_lb $m_lb $t_br $m_br"
}
lb_stored() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stored_bytes"])' "$work/last.json"; }
lb_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], "-"))' "$work/last.json" "$1"; }
br_stored() { $pgbr info --output=json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["backup"][-1]["info"]["repository"]["delta"])'; }

echo "==> full backups ($size)"
read -r t_lf m_lf t_bf m_bf < <(both "" full)
s_lf="$(lb_stored)"; s_bf="$(br_stored)"
rows=$((scale * 100000)); part=$((rows / 100))
echo "==> (a) clustered: aid <= $part updated, $part rows inserted"
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $part"
bench_sql "INSERT INTO pgbench_accounts (aid, bid, abalance, filler) SELECT aid + $rows, bid, 0, filler FROM pgbench_accounts WHERE aid <= $part"
read -r t_la m_la t_ba m_ba < <(both "--incremental" incr)
s_la="$(lb_stored)"; s_ba="$(br_stored)"; method_a="$(lb_field method)"
echo "==> (b) scattered: aid % 100 = 0 updated"
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 0"
read -r t_lb2 m_lb2 t_bb2 m_bb2 < <(both "--incremental" incr)
s_lb2="$(lb_stored)"; s_bb2="$(br_stored)"; chain="$(lb_field chain_length)"
set_archive_command "$lifeboat --config $work/lb/lifeboat.yml --no-progress wal push %p"
switch_and_wait
read -r t_lff m_lff < <(python3 "$root/scripts/measure.py" "$lb --quiet backup --type snapshot --full --json > $work/last.json")
full_id="$(lb_field id)"
incr_id="$("$lifeboat" --config "$work/lb/lifeboat.yml" list --json | python3 -c 'import json,sys; b=[x for x in json.load(sys.stdin)["backups"] if x.get("kind")=="snapshot"]; print(b[-2]["id"])')"

echo "==> restores into an empty directory"
reset() { echo "bash $work/retire.sh $work/restore && mkdir -m 700 $work/restore $( [ "$(id -u)" -eq 0 ] && echo "&& chown postgres: $work/restore")"; }
read -r t_rc m_rc < <(measure "$lb --quiet restore $incr_id --data-dir $work/restore --clean" "$(reset)")
read -r t_rf m_rf < <(measure "$lb --quiet restore $full_id --data-dir $work/restore --clean" "$(reset)")
read -r t_rb m_rb < <(measure "$pgbr --pg1-path=$work/restore restore" "$(reset)")

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
line() { awk -v n="$1" -v t="$2" -v m="$3" -v s="$4" -v f="$5" -v tf="$6" 'BEGIN { printf "%-40s %8.2f s %8.1f MiB %10.1f MiB %6.1f%% %6.2fx\n", n, t, m / 1024, s / 1048576, 100 * s / f, t / tf }'; }
echo
printf '%-40s %10s %12s %14s %7s %7s\n' "pgbench scale $scale ($size), PG $major" "wall" "peak RSS" "stored" "of full" "time"
line "lifeboat full" "$t_lf" "$m_lf" "$s_lf" "$s_lf" "$t_lf"
line "lifeboat incremental (a) clustered" "$t_la" "$m_la" "$s_la" "$s_lf" "$t_lf"
line "lifeboat incremental (b) scattered" "$t_lb2" "$m_lb2" "$s_lb2" "$s_lf" "$t_lf"
line "pgbackrest full" "$t_bf" "$m_bf" "$s_bf" "$s_bf" "$t_bf"
line "pgbackrest incr (a) clustered" "$t_ba" "$m_ba" "$s_ba" "$s_bf" "$t_bf"
line "pgbackrest incr (b) scattered" "$t_bb2" "$m_bb2" "$s_bb2" "$s_bf" "$t_bf"
printf '%-40s %10s %12s %7s\n' "restore into an empty directory" "wall" "peak RSS" "ratio"
row "lifeboat chain (full + 2 incrementals)" "$t_rc" "$m_rc" "$t_rf"
row "lifeboat full of the same data" "$t_rf" "$m_rf" "$t_rf"
row "pgbackrest full + 2 incr" "$t_rb" "$m_rb" "$t_rf"
echo
echo "lifeboat method: $method_a (chain of $chain after (b)); pgBackRest $pgbr_version (file-level incr, aes-256-cbc,"
echo "process-max=2). Backups: one run each; restores: median of $runs (BENCH_RUNS). 'of full' = stored size vs the"
echo "same tool's full; 'time' = wall time vs the same tool's full (backups) or vs lifeboat's full restore (restores)."
echo "Targets for (a): ≤ 10 % of the full and ≤ 0.3x its time; chain restore ≤ 1.2x the full's restore and"
echo "≤ 0.5x pgBackRest's; peak RSS ≤ 128 MiB."
if [ -n "${BENCH_COMPARE:-}" ]; then
    # shellcheck source=scripts/bench-compare.sh
    . "$root/scripts/bench-compare.sh"
fi
exit 0
