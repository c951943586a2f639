# bench-compare.sh: the A/B part of `BENCH_COMPARE=/path/to/other/lifeboat scripts/bench.sh incremental [SCALE]`,
# sourced by bench-incremental.sh after its own table (it uses that script's server, key, data shapes and helpers).
# Two builds of lifeboat on identical data, so a change is measured against the one before it on the same machine
# at the same moment: this machine's disk makes restores vary by ±30 % from one hour to the next, more than most
# changes, and a table from another run cannot tell them apart. Each build gets a repository of its own (both
# archive every WAL segment), takes a full, an incremental after a clustered change (the first 1 % of
# pgbench_accounts by aid updated, 1 % new rows) and one after a scattered change (aid % 100 = 1), each pair taken
# back to back; then each build restores its own chain, the two alternating, BENCH_COMPARE_RUNS times (default 5),
# into a fresh directory each time. A build that cannot read the other's repository format is fine: neither does.
other="$BENCH_COMPARE"
[ -x "$other" ] || { echo "BENCH_COMPARE: '$other' is not an executable lifeboat" >&2; exit 2; }
echo "==> A/B: $other (old) vs this build (new), identical data"
ab_config() {  # ab_config SIDE BINARY: a repository of its own, the bench's key
    mkdir -p "$work/ab-$1"
    sed "s#$work/lb/repo#$work/ab-$1/repo#" "$work/lb/lifeboat.yml" > "$work/ab-$1/lifeboat.yml"
    "$2" --config "$work/ab-$1/lifeboat.yml" --quiet init >/dev/null
    own "$work/ab-$1"
}
ab_config old "$other"
ab_config new "$lifeboat"
set_archive_command "$other --config $work/ab-old/lifeboat.yml --no-progress wal push %p \
&& $lifeboat --config $work/ab-new/lifeboat.yml --no-progress wal push %p"
ab_lb() { echo "'$([ "$1" = old ] && echo "$other" || echo "$lifeboat")' --config $work/ab-$1/lifeboat.yml --no-progress"; }
# ab_backup ARGS: one snapshot by each build; prints "t_old s_old t_new s_new".
ab_backup() {
    local side t result=()
    switch_and_wait
    for side in old new; do
        read -r t _ < <(python3 "$root/scripts/measure.py" \
            "$(ab_lb $side) --quiet backup --type snapshot $1 --json > $work/ab-$side/last.json")
        result+=("$t" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stored_bytes"])' \
            "$work/ab-$side/last.json")")
    done
    echo "${result[*]}"
}
read -r ab_tf_o ab_sf_o ab_tf_n ab_sf_n < <(ab_backup --full)
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $part"
bench_sql "INSERT INTO pgbench_accounts (aid, bid, abalance, filler)
    SELECT aid + 2 * $rows, bid, 0, filler FROM pgbench_accounts WHERE aid <= $part"
read -r ab_ta_o ab_sa_o ab_ta_n ab_sa_n < <(ab_backup --incremental)
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 1"
read -r ab_tb_o ab_sb_o ab_tb_n ab_sb_n < <(ab_backup --incremental)
ab_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/ab-$1/last.json"; }
fresh="rm -rf $work/restore && mkdir -m 700 $work/restore $( [ "$(id -u)" -eq 0 ] && echo "&& chown postgres: $work/restore")"
saved_runs="$runs"; runs="${BENCH_COMPARE_RUNS:-5}"
read -r ab_tr_o ab_mr_o ab_tr_n ab_mr_n < <(measure_pair \
    "$(ab_lb old) --quiet restore $(ab_id old) --data-dir $work/restore" "$fresh" \
    "$(ab_lb new) --quiet restore $(ab_id new) --data-dir $work/restore" "$fresh")
runs="$saved_runs"
echo
printf '%-40s %12s %12s %12s %12s %7s\n' "A/B, identical data" "old wall" "old stored" "new wall" "new stored" "new/old"
ab_line() {
    awk -v n="$1" -v to="$2" -v so="$3" -v tn="$4" -v sn="$5" 'BEGIN {
        printf "%-40s %10.2f s %8.1f MiB %10.2f s %8.1f MiB %6.2fx\n", n, to, so / 1048576, tn, sn / 1048576, tn / to }'
}
ab_line "full" "$ab_tf_o" "$ab_sf_o" "$ab_tf_n" "$ab_sf_n"
ab_line "incremental after a clustered change" "$ab_ta_o" "$ab_sa_o" "$ab_ta_n" "$ab_sa_n"
ab_line "incremental after a scattered change" "$ab_tb_o" "$ab_sb_o" "$ab_tb_n" "$ab_sb_n"
awk -v to="$ab_tr_o" -v mo="$ab_mr_o" -v tn="$ab_tr_n" -v mn="$ab_mr_n" -v r="${BENCH_COMPARE_RUNS:-5}" 'BEGIN {
    printf "%-40s %10.2f s %8.1f MiB %10.2f s %8.1f MiB %6.2fx\n", "chain restore (median of " r ", alternated)",
        to, mo / 1024, tn, mn / 1024, tn / to }'
echo "Backups: one run each, old then new, back to back; the restore's second column is peak RSS, not a size."
