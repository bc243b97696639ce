/**
 * The README's table of services: each one's URL on both stacks and its login from the program's
 * outputs and the rows below, its memory limit from the program, and the highest peak the
 * real-services suite measured (docs/measured.json, recorded with `npm run docs -- --measured`);
 * and docs/services.md's table of CPU time, from the latest run recorded there.
 */
import * as fs from "fs";
import * as path from "path";
import { defaults } from "../../components/config/schema";

/** What the program says of a stack: its URLs and each service's memory limit (all its copies). */
export interface StackOutputs {
  readonly urls: Record<string, string>;
  readonly memoryLimitMiB: { services: Record<string, number>; total: number };
}

/**
 * The highest peak working set measured per service, and the runs it comes from; and the CPU
 * figures of the latest run recorded (a share of CPU time is that run's, not a maximum).
 */
export interface Measured {
  /** One line per recorded run: its date and what it was. */
  readonly runs: string[];
  /** Service (a numbered copy counts as its service) → MiB. */
  readonly peakMiB: Record<string, number>;
  readonly cpu?: CpuRun;
}

/** Each container's CPU use over one real-services run, with its limit. */
export interface CpuRun {
  /** Which of `runs` it is. */
  readonly run: string;
  /** Container (each numbered copy its own) → what it used. */
  readonly containers: Record<string, { seconds: number; throttledSeconds: number; cpus: number }>;
}

export const MEASURED = "docs/measured.json";

/** A row: what a person reaches (by its `urls` key), how they log in, what it takes. */
interface Row {
  readonly label: string;
  readonly url?: string;
  /** Where there is no URL: what to say instead. */
  readonly reach?: string;
  readonly login: string;
  /** The `memoryLimitMiB` services the row's memory is (none: another row's container). */
  readonly memory: readonly string[];
}

const ROWS: readonly Row[] = [
  {
    label: "JupyterHub",
    url: "jupyterhub",
    login: "`jupyterhub` (user `admin`)",
    memory: ["jupyterhub"],
  },
  {
    label: "MinIO console",
    url: "minio-console",
    login: "`minio` (root; admin only)",
    memory: ["minio"],
  },
  { label: "MinIO S3 API", url: "minio-api", login: "per-service keys in `s3`", memory: [] },
  { label: "Spark master UI", url: "spark-ui", login: "none", memory: ["spark-master"] },
  { label: "Spark workers", reach: "—", login: "—", memory: ["spark-worker"] },
  {
    label: "MLflow",
    url: "mlflow",
    login: "`mlflow` (user `admin`; notebooks and flows log in as `lab`)",
    memory: ["mlflow"],
  },
  {
    label: "Prefect",
    url: "prefect",
    login: "`prefect.authString` (the UI asks for it)",
    memory: ["prefect-server"],
  },
  { label: "Prefect worker", reach: "—", login: "—", memory: ["prefect-worker"] },
  {
    label: "Streamlit",
    url: "streamlit",
    login: "none (read-only view of `gold` and its lineage)",
    memory: ["streamlit"],
  },
  {
    label: "Lineage service (OpenLineage; its graph is on the dashboard)",
    reach: "inside the lab only (`lineage:5000`)",
    login: "`lineage.apiKey` (bearer token)",
    memory: ["lineage"],
  },
  {
    label: "SQL endpoint (Spark's Thrift server; JDBC `jdbc:hive2://<this>/default`)",
    url: "spark-thrift",
    login: "`sql` (user `admin`)",
    memory: ["spark-thrift"],
  },
  { label: "NiFi", url: "nifi", login: "`nifi` (user `admin`)", memory: ["nifi"] },
  { label: "Kafka UI", url: "kafka-ui", login: "`kafkaUi` (user `admin`)", memory: ["kafka-ui"] },
  { label: "Kafka (from the host)", url: "kafka", login: "none", memory: ["kafka"] },
  {
    label: "PostgreSQL",
    reach: "inside the lab only (`postgres:5432`)",
    login: "`databases.<service>`",
    memory: ["postgres"],
  },
];

const link = (url: string) => (/^https?:/.test(url) ? `<${url}>` : `\`${url}\``);
/** On Kubernetes: a NodePort URL, or what `kubectl port-forward` gives where nothing is exposed. */
const k8sReach = (url: string) =>
  /:3\d{4}(\/|$)/.test(url) ? link(url) : `port-forward: ${link(url)}`;

export function servicesTable(dev: StackOutputs, k8s: StackOutputs, measured: Measured): string {
  const workers = defaults.spark.workers;
  // A service the program deploys but no row names would be missing from what users read first.
  const rowless = new Set([
    ...Object.keys(dev.urls).filter((u) => !ROWS.some((r) => r.url === u)),
    ...Object.keys(dev.memoryLimitMiB.services).filter(
      (m) => !ROWS.some((r) => r.memory.includes(m)),
    ),
  ]);
  if (rowless.size) {
    throw new Error(
      `README table: the program deploys ${[...rowless].join(", ")}, which no row of ROWS (scripts/docs/services.ts) names`,
    );
  }
  const rows = ROWS.map((r) => {
    const missing = r.memory.filter((m) => !(m in dev.memoryLimitMiB.services));
    const url = r.url && dev.urls[r.url];
    if (missing.length || (r.url && (!url || !k8s.urls[r.url]))) {
      throw new Error(`README row ${r.label}: the program has no ${missing.join(", ") || r.url}`);
    }
    const limit = r.memory.length
      ? r.memory
          .map((m) =>
            m === "spark-worker"
              ? `${workers} × ${dev.memoryLimitMiB.services[m] / workers} MiB`
              : `${dev.memoryLimitMiB.services[m]} MiB`,
          )
          .join(" + ")
      : "(same container)";
    const peaks = r.memory.map((m) => measured.peakMiB[m]);
    const peak = !r.memory.length
      ? ""
      : peaks.every((p) => p)
        ? peaks.map((p) => `${p} MiB`).join(" + ")
        : "not measured";
    const label = r.memory[0] === "spark-worker" ? `${r.label} (${workers})` : r.label;
    const devReach = url ? link(url) : r.reach!;
    const k8sCell = r.url ? k8sReach(k8s.urls[r.url]) : "—";
    return `| ${label} | ${devReach} | ${k8sCell} | ${r.login} | ${limit} | ${peak} |`;
  });
  return [
    "| Service | Dev stack | k8s stack | Login (`npm run credentials`) | Memory limit | Measured peak |",
    "|---|---|---|---|---|---|",
    ...rows,
    `| **Total** | | | | **${dev.memoryLimitMiB.total} MiB** | |`,
  ].join("\n");
}

export function readMeasured(root: string): Measured {
  return JSON.parse(fs.readFileSync(path.join(root, MEASURED), "utf8")) as Measured;
}

/**
 * `measured` with a real-services run merged in (its e2e-report/memory.json): each service keeps
 * the highest peak of every run recorded, as the limits are set from the highest; the CPU figures
 * become this run's. Recording the same run again changes nothing.
 */
export function recordRun(measured: Measured, reportDir: string, run: string): Measured {
  const usage = JSON.parse(fs.readFileSync(path.join(reportDir, "memory.json"), "utf8")) as {
    service: string;
    workingSetMiB: number;
    cpuSeconds?: number;
    throttledSeconds?: number;
    cpus?: number;
  }[];
  const peakMiB = { ...measured.peakMiB };
  for (const u of usage) {
    const service = u.service.replace(/-\d+$/, "");
    peakMiB[service] = Math.max(peakMiB[service] ?? 0, u.workingSetMiB);
  }
  const byName = <T>(r: Record<string, T>) =>
    Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  const containers = Object.fromEntries(
    usage.flatMap((u) =>
      u.cpuSeconds === undefined
        ? []
        : [
            [
              u.service,
              {
                seconds: Math.round(u.cpuSeconds),
                throttledSeconds: Math.round((u.throttledSeconds ?? 0) * 10) / 10,
                cpus: u.cpus ?? 0,
              },
            ],
          ],
    ),
  );
  return {
    runs: measured.runs.includes(run) ? measured.runs : [...measured.runs, run],
    peakMiB: byName(peakMiB),
    ...(Object.keys(containers).length
      ? { cpu: { run, containers: byName(containers) } }
      : measured.cpu
        ? { cpu: measured.cpu }
        : {}),
  };
}

/** docs/services.md's CPU table: each container's CPU time in the latest recorded run. */
export function cpuTable(measured: Measured): string {
  const cpu = measured.cpu;
  if (!cpu)
    throw new Error(`${MEASURED} has no CPU run: record one with npm run docs -- --measured`);
  const rows = Object.entries(cpu.containers);
  const total = rows.reduce((sum, [, c]) => sum + c.seconds, 0);
  return [
    `The latest run recorded (${cpu.run}):`,
    "",
    "| Container | CPU time (s) | Share of the lab's | Limit (cores) | Held back by the limit (s) |",
    "|---|---|---|---|---|",
    ...rows.map(
      ([name, c]) =>
        `| ${name} | ${c.seconds} | ${Math.round((100 * c.seconds) / total)} % | ${c.cpus} | ${c.throttledSeconds.toFixed(1)} |`,
    ),
    `| **All** | **${total}** | | | |`,
  ].join("\n");
}
