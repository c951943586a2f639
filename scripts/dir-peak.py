#!/usr/bin/env python3
"""dir-peak.py DIR: samples DIR every 5 ms until terminated and prints the largest total it saw of the disk
blocks its regular files use (st_blocks, so the holes a parallel backup punches into what it has read count as
free), e.g. '12.0 MiB'. Used by bench.sh to report lifeboat's local footprint."""
import os
import signal
import sys
import time

peak = 0


def report(*_):
    print(f"{peak / 1048576:.1f} MiB")
    sys.exit(0)


signal.signal(signal.SIGTERM, report)
signal.signal(signal.SIGINT, report)
while True:
    total = 0
    for root, _dirs, files in os.walk(sys.argv[1]):
        for name in files:
            try:
                info = os.lstat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            if (info.st_mode & 0o170000) == 0o100000:
                total += info.st_blocks * 512
    peak = max(peak, total)
    time.sleep(0.005)
