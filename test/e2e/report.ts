/**
 * The real-services suite's report: what the run measured, written to e2e-report/ for people (the
 * tables, also printed) and for `npm run docs -- --measured` (memory.json).
 */
import * as fs from "fs";
import * as path from "path";
import type { Lab } from "./lab";
import type { LabWiring } from "./wiring";

/**
 * Into `dir`: each container's memory (over the run and to start), disk and CPU beside the limits
 * `wiring` declares, and its stops.
 */
export function writeReport(dir: string, wiring: LabWiring, lab: Lab): void {
  const runtime = lab.runtime!;
  const limits = Object.fromEntries(wiring.containers.map((c) => [c.name, c]));
  const usage = runtime.usage();
  const rows = Object.keys(usage)
    .sort()
    .map((n) => ({
      service: n,
      ...usage[n],
      // Declared; a container the last wiring no longer has (a failed change) keeps what was enforced.
      limitMiB: limits[n]?.memoryMiB ?? usage[n].limitMiB,
      cpus: limits[n]?.cpus ?? usage[n].cpus,
    }));
  fs.writeFileSync(path.join(dir, "memory.json"), JSON.stringify(rows, null, 2));
  writeTable(
    dir,
    "memory.md",
    "e2e memory (each container's cgroup, limited to its declared memory, over both starts)",
    [
      "service",
      "peak working set (MiB)",
      "peak charged, page cache included (MiB)",
      "limit (MiB)",
      "working set / limit",
      "OOM kills",
    ],
    rows.map((r) => [
      r.service,
      r.workingSetMiB,
      r.chargedMiB,
      r.limitMiB,
      (r.workingSetMiB / r.limitMiB).toFixed(2),
      r.oomKills,
    ]),
  );
  writeTable(
    dir,
    "start-memory.md",
    "e2e memory to start (each container's peak working set from a start until its health check passed, the highest of its starts)",
    ["service", "to start (MiB)", "limit (MiB)"],
    Object.keys(lab.startPeaksMiB)
      .sort()
      .map((n) => [n, lab.startPeaksMiB[n], limits[n]?.memoryMiB ?? ""]),
  );
  const disk = runtime.diskPeaks();
  writeTable(
    dir,
    "disk.md",
    "e2e disk (what each container had written outside its volumes: writable layer, /tmp, log; the most at any stop or at the end)",
    ["service", "written (MiB)", "Kubernetes ephemeral-storage limit (MiB)"],
    Object.keys(disk)
      .sort()
      .map((n) => [
        n,
        disk[n],
        wiring.scratchMiB[wiring.containers.find((c) => c.name === n)?.aliases[0] ?? n] ?? "",
      ]),
  );
  const total = rows.reduce((sum, r) => sum + r.cpuSeconds, 0);
  writeTable(
    dir,
    "cpu.md",
    "e2e CPU (each container's cgroup, limited to its declared CPUs, over the whole run)",
    [
      "service",
      "CPU time (s)",
      "share of the lab's",
      "limit (cores)",
      "held back by the limit (s)",
    ],
    [
      ...rows.map((r) => [
        r.service,
        r.cpuSeconds.toFixed(0),
        `${((100 * r.cpuSeconds) / total).toFixed(0)} %`,
        r.cpus,
        r.throttledSeconds.toFixed(1),
      ]),
      ["all", total.toFixed(0), "", "", ""],
    ],
  );
  const stops = runtime.stops();
  fs.writeFileSync(path.join(dir, "stops.json"), JSON.stringify(stops, null, 2));
  writeTable(
    dir,
    "stops.md",
    "e2e stops (stop signal to exit, every stop of the run)",
    ["service", "stops", "longest (s)", "grace (s)", "killed at the grace's end"],
    [...new Set(stops.map((s) => s.name))].sort().map((n) => {
      const own = stops.filter((s) => s.name === n);
      return [
        n,
        own.length,
        Math.max(...own.map((s) => s.seconds)).toFixed(1),
        limits[n]?.stopGraceS,
        own.filter((s) => s.killed).length,
      ];
    }),
  );
}

/** A Markdown table into `dir`/<file>, and printed under `title`. */
function writeTable(
  dir: string,
  file: string,
  title: string,
  header: string[],
  rows: unknown[][],
): void {
  const line = (cells: unknown[]) => `| ${cells.join(" | ")} |`;
  const table = [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
  fs.writeFileSync(path.join(dir, file), `${table}\n`);
  process.stderr.write(`${title}:\n${table}\n`);
}
