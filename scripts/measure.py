#!/usr/bin/env python3
"""measure.py: run one shell command and print 'seconds peak_rss_kib' for it (children included).

Used by bench.sh. Peak RSS is the largest resident set of any single process the command started
(getrusage RUSAGE_CHILDREN ru_maxrss), so for a pipeline it is its hungriest member.
With MEASURE_SERVER_PID (a postmaster's pid) two more fields follow: the CPU seconds (user + system) of
the command and all its children, and those of the server's backends that ended during the command (the
postmaster reaps them, so they add to its cutime/cstime): where a client/server pipeline spends its CPU.
With MEASURE_CPU=1 (and no server) one more field follows: the command's CPU seconds (user + system).
"""
import os
import resource
import subprocess
import sys
import time


def reaped_cpu(pid):
    """CPU seconds of the children `pid` has reaped (cutime + cstime in /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


server = os.environ.get("MEASURE_SERVER_PID")
server_before = reaped_cpu(server) if server else 0
start = time.monotonic()
completed = subprocess.run(["bash", "-c", sys.argv[1]])
elapsed = time.monotonic() - start
if completed.returncode != 0:
    sys.stderr.write(f"measure: command failed with status {completed.returncode}: {sys.argv[1]}\n")
    sys.exit(completed.returncode)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
if server:
    time.sleep(0.3)  # the postmaster reaps a backend shortly after its client disconnected
line = f"{elapsed:.3f} {usage.ru_maxrss}"
if server:
    line += f" {usage.ru_utime + usage.ru_stime:.2f} {reaped_cpu(server) - server_before:.2f}"
elif os.environ.get("MEASURE_CPU") == "1":
    line += f" {usage.ru_utime + usage.ru_stime:.2f}"
print(line)
