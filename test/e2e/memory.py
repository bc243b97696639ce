"""Samples the memory cgroup of each of the lab's containers until it is told to stop.

Runs as its own process because the suite's Node process blocks for minutes at a time (a notebook
run through `nsenter` is a synchronous call), and a sampler on its event loop would miss exactly
the busiest moments.

Usage: memory.py <cgroup parent directory> <output JSON>. Every half second, for each `dfl-<name>`
cgroup below the parent, it records the peak working set (usage minus inactive file cache, the
figure `docker stats` shows and kubelet evicts by), the kernel's own peak charge (page cache
included) and the cgroup's OOM kills; the JSON is rewritten atomically after each round and
merged with what a previous sampler left in it (a restarted lab keeps its earlier peaks).
"""

import json
import os
import signal
import sys
import time

parent, out = sys.argv[1], sys.argv[2]
stop = False


def handle(_sig, _frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, handle)

try:
    with open(out) as f:
        peaks = json.load(f)
except (OSError, ValueError):
    peaks = {}


def read(cgroup, name):
    with open(os.path.join(cgroup, name)) as f:
        return f.read()


def sample():
    for entry in os.listdir(parent):
        if not entry.startswith("dfl-"):
            continue
        cgroup = os.path.join(parent, entry)
        try:
            usage = int(read(cgroup, "memory.usage_in_bytes"))
            stat = dict(line.split() for line in read(cgroup, "memory.stat").splitlines())
            kernel_peak = int(read(cgroup, "memory.max_usage_in_bytes"))
            oom = dict(line.split() for line in read(cgroup, "memory.oom_control").splitlines())
            limit = int(read(cgroup, "memory.limit_in_bytes"))
        except (OSError, ValueError):
            continue  # created or removed just now
        working_set = max(0, usage - int(stat.get("total_inactive_file", 0)))
        name = entry[len("dfl-"):]
        p = peaks.setdefault(name, {"workingSetMiB": 0, "chargedMiB": 0, "oomKills": 0})
        p["workingSetMiB"] = max(p["workingSetMiB"], round(working_set / 2**20))
        p["chargedMiB"] = max(p["chargedMiB"], round(kernel_peak / 2**20))
        # A cgroup is made anew for each start: its count is added once per start, kept below.
        p.setdefault("oomKillsByStart", {})[str(os.stat(cgroup).st_ino)] = int(oom.get("oom_kill", 0))
        p["oomKills"] = sum(p["oomKillsByStart"].values())
        p["limitMiB"] = round(limit / 2**20) if limit < 2**60 else None


while not stop:
    sample()
    tmp = f"{out}.tmp"
    with open(tmp, "w") as f:
        json.dump(peaks, f, indent=2, sort_keys=True)
    os.replace(tmp, out)
    time.sleep(0.5)
