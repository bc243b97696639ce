"""Samples the cgroups of each of the lab's containers (memory, CPU) until it is told to stop.

Runs as its own process because the suite's Node process blocks for minutes at a time (a notebook
run through `nsenter` is a synchronous call), and a sampler on its event loop would miss exactly
the busiest moments.

Usage: usage.py <memory parent> <cpu parent> <cpuacct parent> <output JSON> <suite's pid>, each
parent the directory the containers' `dfl-<name>` cgroups are made in, in that cgroup v1 hierarchy
(the cpu and cpuacct parents are one directory where the two controllers share a hierarchy), and
the pid of the suite that started it (it stops when that process is gone). Every half
second, for each container, it records:
- memory: the peak working set (usage minus inactive file cache, the figure `docker stats` shows
  and kubelet evicts by), overall and per start, the kernel's own peak charge (page cache
  included), the OOM kills;
- CPU: the CPU time used and the time its CPU limit (a CFS quota, as Docker's `--cpus`) held it
  back, and the limit itself.
A cgroup is made anew for each start, so counts and times are kept per start (by the cgroup's
inode) and summed; a start's last half second is not counted. The JSON is rewritten atomically
after each round and merged with what a previous sampler left in it (a restarted lab keeps its
earlier figures).
"""

import ctypes
import json
import os
import signal
import sys
import time

memory_parent, cpu_parent, cpuacct_parent, out, suite = sys.argv[1:6]
stop = False


def handle(_sig, _frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, handle)

# Told to stop when the suite's process dies, however it dies (SIGKILL included), so an interrupted
# run leaves no sampler behind to merge its figures into the next run's. PR_SET_PDEATHSIG is 1.
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)

try:
    with open(out) as f:
        usage = json.load(f)
except (OSError, ValueError):
    usage = {}


def read(cgroup, name):
    with open(os.path.join(cgroup, name)) as f:
        return f.read()


def per_start(p, key, start, value):
    """Sets the value of this start (its cgroup's inode) and returns the sum over every start."""
    starts = p.setdefault(key, {})
    starts[start] = value
    return sum(starts.values())


def sample():
    for entry in os.listdir(memory_parent):
        if not entry.startswith("dfl-"):
            continue
        mem = os.path.join(memory_parent, entry)
        cpu = os.path.join(cpu_parent, entry)
        acct = os.path.join(cpuacct_parent, entry)
        try:
            mem_usage = int(read(mem, "memory.usage_in_bytes"))
            stat = dict(line.split() for line in read(mem, "memory.stat").splitlines())
            kernel_peak = int(read(mem, "memory.max_usage_in_bytes"))
            oom = dict(line.split() for line in read(mem, "memory.oom_control").splitlines())
            limit = int(read(mem, "memory.limit_in_bytes"))
            cpu_ns = int(read(acct, "cpuacct.usage"))
            throttled_ns = int(dict(l.split() for l in read(cpu, "cpu.stat").splitlines())["throttled_time"])
            quota = int(read(cpu, "cpu.cfs_quota_us"))
            period = int(read(cpu, "cpu.cfs_period_us"))
            # Each start's key: its cgroups' inodes (a cgroup removed meanwhile is skipped here).
            mem_start, cpu_start, acct_start = (str(os.stat(d).st_ino) for d in (mem, cpu, acct))
        except (OSError, ValueError, KeyError):
            continue  # created or removed just now
        working_set = max(0, mem_usage - int(stat.get("total_inactive_file", 0)))
        name = entry[len("dfl-"):]
        p = usage.setdefault(name, {"workingSetMiB": 0, "chargedMiB": 0, "oomKills": 0})
        p["workingSetMiB"] = max(p["workingSetMiB"], round(working_set / 2**20))
        # Each start's own peak too, which the suite reads when the start turns healthy.
        by_start = p.setdefault("workingSetMiBByStart", {})
        by_start[mem_start] = max(by_start.get(mem_start, 0), round(working_set / 2**20))
        p["chargedMiB"] = max(p["chargedMiB"], round(kernel_peak / 2**20))
        p["oomKills"] = per_start(p, "oomKillsByStart", mem_start, int(oom.get("oom_kill", 0)))
        p["limitMiB"] = round(limit / 2**20) if limit < 2**60 else None
        p["cpuSeconds"] = round(per_start(p, "cpuSecondsByStart", acct_start, cpu_ns / 1e9), 1)
        p["throttledSeconds"] = round(
            per_start(p, "throttledSecondsByStart", cpu_start, throttled_ns / 1e9), 1
        )
        p["cpus"] = round(quota / period, 2) if quota > 0 else None


# The suite may have died before prctl (python3 may start through a shim): then this process has
# already been given to another parent.
while not stop and os.getppid() == int(suite):
    sample()
    tmp = f"{out}.tmp"
    with open(tmp, "w") as f:
        json.dump(usage, f, indent=2, sort_keys=True)
    os.replace(tmp, out)
    time.sleep(0.5)
