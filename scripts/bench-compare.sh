# bench-compare.sh: the A/B part of `BENCH_COMPARE=/path/to/other/lifeboat scripts/bench.sh incremental [SCALE]`,
# sourced by bench-incremental.sh after its own table (it uses that script's server, key, data shapes and helpers).
# Two builds of lifeboat on identical data, so a change is measured against the one before it on the same machine
# at the same moment: this machine's disk makes restores vary by ±30 % from one hour to the next, more than most
# changes, and a table from another run cannot tell them apart. Each build gets a repository of its own (both
# archive every WAL segment), takes a full, an incremental after a clustered change (the first 1 % of
# pgbench_accounts by aid updated, 1 % new rows) and one after a scattered change (aid % 100 = 1), each pair taken
# back to back, who goes first alternating; then each build restores its own chain, the two alternating,
# BENCH_COMPARE_RUNS times (default 5), into a fresh directory each time: medians of wall and CPU time. Neither
# build reads the other's repository, so a change of format compares too.
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
# ab_backup ARGS FIRST: one snapshot by each build, FIRST (old or new) first — the second of two back-to-back
# backups reads a server whose files the first just read, so the steps alternate who goes first; prints
# "t_old s_old t_new s_new".
ab_backup() {
    local side t
    declare -A took stored
    switch_and_wait
    for side in $([ "$2" = old ] && echo "old new" || echo "new old"); do
        read -r t _ < <(python3 "$root/scripts/measure.py" \
            "$(ab_lb $side) --quiet backup --type snapshot $1 --json > $work/ab-$side/last.json")
        took[$side]="$t"
        stored[$side]="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stored_bytes"])' \
            "$work/ab-$side/last.json")"
    done
    echo "${took[old]} ${stored[old]} ${took[new]} ${stored[new]}"
}
read -r ab_tf_o ab_sf_o ab_tf_n ab_sf_n < <(ab_backup --full old)
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid <= $part"
bench_sql "INSERT INTO pgbench_accounts (aid, bid, abalance, filler)
    SELECT aid + 2 * $rows, bid, 0, filler FROM pgbench_accounts WHERE aid <= $part"
read -r ab_ta_o ab_sa_o ab_ta_n ab_sa_n < <(ab_backup --incremental new)
bench_sql "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid % 100 = 1"
read -r ab_tb_o ab_sb_o ab_tb_n ab_sb_n < <(ab_backup --incremental old)
ab_id() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$work/ab-$1/last.json"; }
fresh="bash $work/retire.sh $work/restore && mkdir -m 700 $work/restore $( [ "$(id -u)" -eq 0 ] && echo "&& chown postgres: $work/restore")"
# ab_restores: each build restores its chain into a fresh directory, alternating, BENCH_COMPARE_RUNS times; prints
# the medians "wall_old cpu_old wall_new cpu_new" and the peak RSS of each: CPU seconds (user + system) vary far
# less than wall time on this disk, and tell a change in work done from a change in waiting.
ab_restores() {
    local side i
    for side in old new; do : > "$work/ab-$side/restores"; done
    for i in $(seq "${BENCH_COMPARE_RUNS:-5}"); do
        for side in old new; do
            bash -c "$fresh" >/dev/null 2>&1; sync
            MEASURE_CPU=1 python3 "$root/scripts/measure.py" \
                "$(ab_lb $side) --quiet restore $(ab_id $side) --data-dir $work/restore" >> "$work/ab-$side/restores"
        done
    done
    local median='{ v[NR] = $0 } END { printf "%s ", v[int((NR + 1) / 2)] }'
    for side in old new; do
        awk '{ print $1 }' "$work/ab-$side/restores" | sort -n | awk "$median"
        awk '{ print $3 }' "$work/ab-$side/restores" | sort -n | awk "$median"
        awk '{ if ($2 > m) m = $2 } END { printf "%s ", m }' "$work/ab-$side/restores"
    done
    echo
}
read -r ab_tr_o ab_cr_o ab_mr_o ab_tr_n ab_cr_n ab_mr_n < <(ab_restores)
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
awk -v to="$ab_cr_o" -v tn="$ab_cr_n" 'BEGIN {
    printf "%-40s %10.2f s %12s %10.2f s %12s %6.2fx\n", "  its CPU, user + system (median)", to, "", tn, "", tn / to }'
echo "Backups: one run each, back to back (old first for the full and the scattered change, new first for the"
echo "clustered one); the restore's second columns are peak RSS, not sizes."
