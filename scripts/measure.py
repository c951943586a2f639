#!/usr/bin/env python3
"""measure.py: run one shell command and print 'seconds peak_rss_kib' for it (children included).

Used by bench.sh. Peak RSS is the largest resident set of any single process the command started
(getrusage RUSAGE_CHILDREN ru_maxrss), so for a pipeline it is its hungriest member.
"""
import resource
import subprocess
import sys
import time

start = time.monotonic()
completed = subprocess.run(["bash", "-c", sys.argv[1]])
elapsed = time.monotonic() - start
if completed.returncode != 0:
    sys.stderr.write(f"measure: command failed with status {completed.returncode}: {sys.argv[1]}\n")
    sys.exit(completed.returncode)
print(f"{elapsed:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
