#!/usr/bin/env python3
"""faults-table.py REPORT.jsonl SECONDS: the fault suite's figures as one table (scripts/faults.sh).

Each line of REPORT is one case a test ran: {"suite", "scenario", "broken": [...]} for injected faults, plus
{"detected", "named"} for corruption trials and optional counters ("backups_checked", "leaked_locks",
"leaked_temporaries", "leaked_servers")."""
import collections
import json
import sys


def main():
    path, seconds = sys.argv[1], int(sys.argv[2])
    rows = [json.loads(line) for line in open(path) if line.strip()]
    groups = collections.OrderedDict()
    for row in rows:
        key = (row.get("suite", "?"), row.get("scenario") or row.get("kind") or "?")
        group = groups.setdefault(key, collections.Counter())
        group["cases"] += 1
        group["broken"] += 1 if row.get("broken") else 0
        if row.get("suite") == "corruption":
            group["undetected"] += 0 if (row.get("detected") and row.get("named")) else 1
        for counter in ("backups_checked", "leaked_locks", "leaked_temporaries", "leaked_servers"):
            group[counter] += int(row.get(counter, 0))
    header = ["suite", "scenario", "cases", "broken guarantees", "undetected corruptions", "backups checked",
              "leaked locks", "leaked temps", "leaked servers"]
    table = [header]
    totals = collections.Counter()
    for (suite, scenario), group in groups.items():
        table.append([suite, scenario] + [str(group[c]) for c in
                     ("cases", "broken", "undetected", "backups_checked", "leaked_locks", "leaked_temporaries", "leaked_servers")])
        totals.update(group)
    table.append(["total", ""] + [str(totals[c]) for c in
                 ("cases", "broken", "undetected", "backups_checked", "leaked_locks", "leaked_temporaries", "leaked_servers")])
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print()
    print(f"fault suite: {totals['cases']} cases in {seconds} s")
    for index, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
        if index == 0 or index == len(table) - 2:
            print("  ".join("-" * w for w in widths))
    broken = [r for r in rows if r.get("broken")]
    for row in broken[:20]:
        print(f"BROKEN {row.get('scenario')} {row.get('point', '')} {row.get('action', '')}: {row['broken']}")
    if not rows:
        print("no cases were recorded: did the tests run?")
        sys.exit(1)


if __name__ == "__main__":
    main()
