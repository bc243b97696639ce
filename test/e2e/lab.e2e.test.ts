/**
 * The real-services suite: the dev stack's wiring (wiring.ts) started as local processes
 * (lab.ts), and the lab's own scenario run through them, as a person uses the lab after
 * `pulumi up`: log in to JupyterHub, run the shipped notebooks, then check what they left in the
 * lake, MLflow, Prefect and Kafka, and what the dashboard shows. What it asks each service goes
 * through probes.ts. Memory is sampled throughout and written to e2e-report/ (report.ts).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../harness";
import { Client } from "minio";
import { leastMemoryMiB, STARTED_WITH_MIB } from "../../components/config/services";
import { lakeBucketProvider, minioStore } from "../../components/storage/lakeBucket";
import { lockedVersion, MAIN_LOCK, SPARK_LOCK } from "../../scripts/pins";
import { openJupyterLab, renderPage } from "./clients";
import { Lab, workDirs, type StartReport } from "./lab";
import { allowed as networkAllows } from "./networkPolicy";
import * as probes from "./probes";
import { writeReport } from "./report";
import { labWiring, type LabWiring } from "./wiring";

if (process.getuid?.() !== 0) {
  throw new Error("the real-services suite needs root (network and mount namespaces)");
}

const REPORT = path.join(REPO_ROOT, "e2e-report");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "dataflow-lab-e2e-"));
fs.chmodSync(root, 0o755);
const dirs = workDirs(root);
let lab: Lab;
let wiring: LabWiring;
let started: StartReport;

const url = (key: string) => wiring.outputs.urls.value[key] as string;
/** Orders the suite lands as NiFi does, before the notebooks run the medallion flow. */
const NIFI_LANDINGS = 3;
const creds = () => wiring.credentials;

// The probes asked most, of the lab as it is at each call: the scenario replaces its wiring.
const hubLogin = (user: string, password: string) =>
  probes.hubLogin(url("jupyterhub"), user, password);
const spawnAdminServer = () =>
  probes.spawnAdminServer(lab.runtime!, url("jupyterhub"), creds().jupyterhub);
/** Read with spark's key unless told. */
const lakeCounts = (id: probes.S3Identity = creds().s3.spark) =>
  probes.lakeCounts(lab.installs!, id);
/** The catalog's tables per database and rows per lab table, from a new driver. */
const catalogNames = () => {
  const r = probes.catalogTables(lab.runtime!, "e2e-catalog");
  const line = /^catalog (.*)$/m.exec(r.output);
  if (r.status !== 0 || !line) throw new Error(r.output);
  return JSON.parse(line[1]);
};
/** The lineage graph, read as the dashboard reads it. */
const lineage = () => {
  const graph = probes.lineageGraph(lab.runtime!);
  if (typeof graph === "number")
    throw new Error(`the lineage service refused the lab's key: ${graph}`);
  return graph;
};
/** What the catalog should name, from what the lake holds (`lakeCounts`). */
const catalogOf = (c: ReturnType<typeof lakeCounts>) => ({
  tables: {
    bronze: ["clickstream", "sales"],
    silver: ["clickstream", "customers", "sales", "sales_rejected"],
    gold: ["daily_sales", "sales_by_category", "sales_by_region", "sales_by_segment"],
    // delta_operations.ipynb's own table, managed in the warehouse (the SQL suite drops its own).
    default: ["orders_playground"],
  },
  rows: {
    "bronze.sales": c.bronze,
    "bronze.clickstream": c.clickstream,
    "silver.sales": c.silver,
    "silver.sales_rejected": c.rejected,
    "silver.customers": c.customers,
    "silver.clickstream": c.silver_clickstream,
    "gold.sales_by_category": c.gold_rows.sales_by_category,
    "gold.sales_by_region": c.gold_rows.sales_by_region,
    "gold.daily_sales": c.gold_rows.daily_sales,
    "gold.sales_by_segment": c.gold_rows.sales_by_segment,
  },
});
const prefectRuns = (authString: string, deployment: string) =>
  probes.prefectRuns(url("prefect"), authString, deployment);
const sparkMaster = () => probes.sparkMaster(url("spark-ui"));
const mlflow = () => ({ url: url("mlflow"), password: wiring.secrets["mlflow-lab"] });
const mlflowFetch = (route: string, init?: RequestInit) =>
  probes.mlflowFetch(mlflow(), route, init);
const mlflowGet = (route: string) => probes.mlflowGet(mlflow(), route);
const mlflowRuns = () => probes.mlflowRuns(mlflow());
const unhealthy = () => probes.unhealthy(lab.runtime!);
const pids = () => probes.pids(lab.runtime!);
const restartedSince = (before: Record<string, number | undefined>) =>
  probes.restartedSince(lab.runtime!, before);

beforeAll(
  async () => {
    fs.mkdirSync(REPORT, { recursive: true });
    wiring = await labWiring();
    lab = new Lab(dirs.volumes, dirs.work);
    started = await lab.start(wiring);
  },
  40 * 60 * 1000,
);

afterAll(() => {
  lab?.stop();
  if (lab?.runtime) writeReport(REPORT, wiring, lab);
  // The data directories (GBs of jars' and services' copies); DFL_E2E_KEEP=1 keeps them and
  // every container's log (run/containers/<name>/log) for a closer look.
  if (process.env.DFL_E2E_KEEP) process.stderr.write(`e2e: kept ${root}\n`);
  else fs.rmSync(root, { recursive: true, force: true });
});

describe("the dev stack's services, started from the program's wiring", () => {
  it("every runnable service passes its own declared health check", async () => {
    const runnable = wiring.containers.map((c) => c.name).filter((n) => !(n in started.notRun));
    expect(Object.keys(started.healthyAfterS).sort()).toEqual(runnable.sort());
    for (const name of runnable) {
      expect(await lab.runtime!.health(name)).toMatchObject({ ok: true });
    }
    process.stderr.write(`e2e: healthy after (s): ${JSON.stringify(started.healthyAfterS)}\n`);
    process.stderr.write(`e2e: not run here: ${JSON.stringify(started.notRun)}\n`);
  });

  it("Kafka's health check created the declared topics", () => {
    const topics = probes.kafkaTopics(lab.runtime!);
    expect(topics.status).toBe(0);
    expect(topics.output.split("\n")).toContain("lab-events");
  });
});

describe("the lake's buckets, through the program's own create-or-adopt provider", () => {
  const provider = lakeBucketProvider(minioStore);
  const scratch = () => ({ ...wiring.lake.buckets[0], bucket: "e2e-kept" });
  /** A client as the buckets' own identity (lab-buckets), or as MinIO's root for the data. */
  const client = (as: "keeper" | "root" = "root") =>
    new Client({
      endPoint: "127.0.0.1",
      port: Number(scratch().server.split(":")[1]),
      useSSL: false,
      accessKey: as === "keeper" ? scratch().accessKey : wiring.lake.rootUser,
      secretKey: as === "keeper" ? scratch().secretKey : wiring.lake.rootPassword,
    });

  it("were created on the first start, none adopted", () => {
    const declared = wiring.lake.buckets.map((b) => b.bucket).sort();
    expect(Object.keys(started.adoptedBuckets).sort()).toEqual(declared);
    expect(Object.values(started.adoptedBuckets).every((a) => !a)).toBe(true);
  });

  it("a bucket holding objects (or only their versions) outlives its resource, and is adopted when declared again; an empty one goes", async () => {
    expect((await provider.create!(scratch())).outs.adopted).toBe(false);
    // The provider's identity keeps buckets and touches no object.
    expect(scratch().accessKey).toBe("lab-buckets");
    await expect(
      client("keeper").putObject("e2e-kept", "raw/one.json", Buffer.from("{}")),
    ).rejects.toThrow(/Access Denied/);
    await client().putObject("e2e-kept", "raw/one.json", Buffer.from("{}"));
    // Removed from minio.buckets (or its service switched off), even with retainDataOnDestroy
    // false: a bucket with objects stays.
    await provider.delete!("e2e-kept", scratch());
    expect(await client().bucketExists("e2e-kept")).toBe(true);
    const back = await provider.create!(scratch());
    expect(back.outs.adopted).toBe(true);
    expect((await client().statObject("e2e-kept", "raw/one.json")).size).toBe(2);
    // Versioned (as bronze is), its object deleted: the versions and the delete marker are data.
    await client().setBucketVersioning("e2e-kept", { Status: "Enabled" });
    await client().putObject("e2e-kept", "raw/one.json", Buffer.from("{ }"));
    await client().removeObject("e2e-kept", "raw/one.json");
    await provider.delete!("e2e-kept", scratch());
    expect(await client().bucketExists("e2e-kept")).toBe(true);
    // Emptied by hand, every version too: now it goes.
    const versions: { name: string; versionId?: string }[] = [];
    for await (const o of client().listObjects("e2e-kept", "", true, { IncludeVersion: true }))
      versions.push({ name: o.name!, versionId: (o as { versionId?: string }).versionId });
    await client().removeObjects("e2e-kept", versions);
    await provider.delete!("e2e-kept", scratch());
    expect(await client().bucketExists("e2e-kept")).toBe(false);
  });
});

/** MinIO's built-in login (internal/auth/credentials.go), used when no root login is given. */
const MINIO_DEFAULT = { accessKey: "minioadmin", secretKey: "minioadmin" };

describe("least privilege", () => {
  const s3 = (identity: string, op: string, bucket: string) =>
    probes.s3Access(
      lab.installs!,
      identity === "minio's default" ? MINIO_DEFAULT : creds().s3[identity],
      op,
      bucket,
    );

  it.each([
    ["streamlit", "read", "gold", "allowed"],
    ["streamlit", "write", "gold", "AccessDenied"],
    ["streamlit", "read", "bronze", "AccessDenied"],
    ["spark", "write", "bronze", "allowed"],
    ["spark", "read", "mlflow", "AccessDenied"],
    ["spark", "write", "mlflow", "AccessDenied"],
    ["mlflow", "read", "bronze", "AccessDenied"],
    ["nifi", "write", "bronze", "allowed"],
    ["nifi", "write", "silver", "AccessDenied"],
    ["nifi", "read", "gold", "AccessDenied"],
    // The root login reaches MinIO only as files, and MinIO falls back to this one when they are
    // missing or empty (readFromSecret in cmd/common-main.go): it must not be the login.
    ["minio's default", "read", "gold", "InvalidAccessKeyId"],
  ])("%s may %s %s: %s", (identity, op, bucket, expected) => {
    expect(s3(identity, op, bucket)).toBe(expected);
  });

  it("a file holding a key is read by the service's own user, and by no user outside its group", () => {
    const keys = Object.values(wiring.secrets);
    const checked: string[] = [];
    for (const c of wiring.containers.filter((c) => !(c.name in started.notRun))) {
      for (const f of c.files.filter((f) => keys.some((k) => f.content.includes(k)))) {
        const read = (as = {}) => lab.runtime!.exec(c.name, ["cat", f.path], 30, as);
        expect([c.name, f.path, read().status]).toEqual([c.name, f.path, 0]);
        // A process that dropped the container's groups (as gosu does), under another uid.
        const other = read({ user: [65534, 65534], groups: [] });
        expect([c.name, f.path, other.status, other.output]).toEqual([
          c.name,
          f.path,
          1,
          expect.stringMatching(/Permission denied/),
        ]);
        checked.push(`${c.name}:${f.path}`);
      }
    }
    // Exactly the files the program uploads readable by their group only (the platform's rule for a
    // secret file): every one of them holds a key, and no key is in any other.
    const groupOnly = wiring.containers
      .filter((c) => !(c.name in started.notRun))
      .flatMap((c) =>
        c.files.filter((f) => f.mode.endsWith("0")).map((f) => `${c.name}:${f.path}`),
      );
    expect(groupOnly.length).toBeGreaterThan(0);
    expect(checked.sort()).toEqual(groupOnly.sort());
  });

  it("no container but MinIO holds MinIO's root credential, none but PostgreSQL its superuser's", () => {
    const minioRoot = creds().minio.password as string;
    const pgSuper = creds().postgres.password as string;
    for (const c of wiring.containers) {
      const values = Object.values(c.env).join("\n") + c.files.map((f) => f.content).join("\n");
      expect([c.name, values.includes(minioRoot)]).toEqual([c.name, c.name === "minio"]);
      expect([c.name, values.includes(pgSuper)]).toEqual([c.name, c.name === "postgres"]);
    }
  });
});

describe("NiFi's landings", () => {
  it("land in bronze/landing/nifi/ as NiFi's flow writes them, with NiFi's own identity (the medallion flow ingests them)", () => {
    const keys = probes.landAsNifi(lab.installs!, creds().s3.nifi, NIFI_LANDINGS);
    expect(keys).toHaveLength(NIFI_LANDINGS);
    for (const key of keys)
      expect(key).toMatch(/^landing\/nifi\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f-]{36}\.json$/);
  });
});

/**
 * Notebooks the suite runs once: each step of their second run is run in the second round anyway,
 * on the same lake, by another notebook or flow, so a second run would spend a minute (of a suite
 * whose budget is 20) proving nothing new. Every other notebook runs twice: its re-run lands or
 * streams more, registers another model, or drops and recreates its own table.
 */
const RUN_ONCE: Record<string, string> = {
  "bronze_ingestion.ipynb":
    "land_days with every day landed (silver_processing's first cell, both rounds), then reads",
  "gold_aggregations.ipynb":
    "ensure_silver with silver there, aggregate_gold over gold (the medallion flow, both rounds), then reads",
};

describe("JupyterHub and the shipped notebooks", () => {
  it("logs in the admin with the generated password, and refuses a wrong one and an unlisted user", async () => {
    const { user, password } = creds().jupyterhub;
    expect((await hubLogin(user, password)).ok).toBe(true);
    expect((await hubLogin(user, `${password}x`)).ok).toBe(false);
    expect((await hubLogin("root", password)).ok).toBe(false);
  });

  it("spawns the admin's server, and every shipped notebook runs there to the end, and again (but two whose second run takes no path of its own)", async () => {
    const { user } = creds().jupyterhub;
    const server = await spawnAdminServer();
    // What a notebook's kernel gets is what JupyterHub gave its server: run them with that.
    const notebooks = fs
      .readdirSync(path.join(REPO_ROOT, "lab/notebooks"))
      .filter((n) => n.endsWith(".ipynb"));
    expect(notebooks.length).toBeGreaterThan(0);
    expect(Object.keys(RUN_ONCE).filter((n) => !notebooks.includes(n))).toEqual([]);
    // Where a notebook's time goes, cell by cell: what to make faster when the suite is too slow.
    const timings: Record<string, { seconds: number; cells: Record<string, number> }> = {};
    for (const round of [1, 2]) {
      for (const nb of notebooks.filter((n) => round === 1 || !(n in RUN_ONCE))) {
        const t0 = Date.now();
        const r = probes.runNotebook(
          lab.runtime!,
          server,
          `/home/${user}/examples/${nb}`,
          `/tmp/executed-${round}-${nb}`,
        );
        const seconds = (Date.now() - t0) / 1000;
        timings[`${nb} (round ${round})`] = { seconds, cells: probes.cellSeconds(r.output) };
        fs.writeFileSync(path.join(REPORT, "notebooks.json"), JSON.stringify(timings, null, 2));
        if (r.status !== 0)
          throw new Error(`${nb} (round ${round}) failed:\n${r.output.slice(-6000)}`);
        process.stderr.write(`e2e: ${nb} (round ${round}) ran in ${seconds}s\n`);
      }
    }
  });

  it("JupyterLab opens in Chromium through the hub's login, at the locked release, with the examples in its file browser (screenshot in e2e-report/), and runs code in a kernel over its websocket through the proxy", async () => {
    const jupyterlab = lockedVersion(MAIN_LOCK, "jupyterlab");
    const pyspark = lockedVersion(SPARK_LOCK, "pyspark");
    const visit = await openJupyterLab(
      lab.installs!,
      url("jupyterhub"),
      creds().jupyterhub,
      "examples",
      path.join(REPORT, "jupyterlab.png"),
      "import getpass, pyspark; print(getpass.getuser(), pyspark.__version__)",
    );
    expect(visit.appVersion).toBe(jupyterlab);
    // The user's own kernel, with the lab's Spark: what a notebook's first cell would see.
    expect(visit.printed.trim()).toBe(`${creds().jupyterhub.user} ${pyspark}`);
  });
});

describe("what the notebooks left behind", () => {
  it("bronze, silver and gold hold what two runs of the notebooks and flows imply", () => {
    const c = lakeCounts();
    process.stderr.write(`e2e: lake ${JSON.stringify(c)}\n`);
    // In the suite's order (alphabetical; again but RUN_ONCE): bronze_ingestion lands days 1-3,
    // each run of medallion_architecture lands one more day through the medallion flow (4, 5) and
    // the orders NiFi landed (the first run: once), and silver_processing lands the late batch once.
    expect(c.batches).toEqual([
      "day-001",
      "day-002",
      "day-003",
      "day-004",
      "day-005",
      "late-001",
      "nifi",
    ]);
    const n = NIFI_LANDINGS;
    expect(c.landed).toBe(n);
    expect(c.expected).toEqual({ bronze: 2100 + n, silver: 1910 + n, rejected: 100 });
    expect([c.bronze, c.silver, c.rejected]).toEqual([2100 + n, 1910 + n, 100]);
    expect(c.silver_ids).toBe(c.silver);
    // Gold counts every order of silver once, in each aggregate; 6 categories, 4 regions, and
    // the customers dimension's 3 segments plus "unknown" (NiFi's orders name no customer).
    expect(c.gold_orders).toEqual({
      sales_by_category: 1910 + n,
      sales_by_region: 1910 + n,
      daily_sales: 1910 + n,
      sales_by_segment: 1910 + n,
    });
    expect([c.gold_rows.sales_by_category, c.gold_rows.sales_by_region]).toEqual([6, 4]);
    expect([c.customers, c.gold_rows.sales_by_segment]).toEqual([250, 4]);
    // A commit per landed batch: five days, the late data and NiFi's orders (the second flow run
    // found no new landing, and committed nothing for it).
    expect(c.bronze_versions).toBe(7);
    // streaming.ipynb produced 200 events a run; each run's stream appended them as a batch.
    expect(c.clickstream).toBe(400);
    // The stream continued to silver: each event once (all 400 are distinct and of a known kind).
    expect(c.silver_clickstream).toBe(400);
    expect(c.stream_commits).toBeGreaterThanOrEqual(2);
  });

  it("the catalog names every table of the lake, over its path: a new driver reads each by name, the rows its path holds", () => {
    const c = lakeCounts();
    expect(catalogNames()).toEqual(catalogOf(c));
  });

  it("the SQL endpoint answers a JDBC client on its published port with the generated login: gold by name, the rows gold holds; a wrong password and an unknown user are refused", () => {
    const c = lakeCounts();
    const sql = creds().sql;
    const address = url("spark-thrift");
    const query = "SELECT region, orders FROM gold.sales_by_region ORDER BY region";
    const ok = probes.beeline(lab.installs!, address, sql.user, sql.password, query);
    expect(ok.status).toBe(0);
    const rows = ok.output
      .split("\n")
      .filter((l) => /^[a-z]+,\d+$/.test(l))
      .map((l) => l.split(","));
    expect(rows.map(([region]) => region)).toEqual(["east", "north", "south", "west"]);
    expect(rows.reduce((sum, [, orders]) => sum + Number(orders), 0)).toBe(
      c.gold_orders.sales_by_region,
    );
    // A table made over SQL with no format named is Delta (spark.sql.sources.default), in the
    // default database's warehouse in the lake.
    const made = probes.beeline(
      lab.installs!,
      address,
      sql.user,
      sql.password,
      "DROP TABLE IF EXISTS default.e2e_scratch; CREATE TABLE default.e2e_scratch (id INT); " +
        "INSERT INTO default.e2e_scratch VALUES (1), (2); " +
        "DESCRIBE DETAIL default.e2e_scratch; SELECT count(*) AS n FROM default.e2e_scratch; " +
        "DROP TABLE default.e2e_scratch",
    );
    expect(made.status).toBe(0);
    expect(made.output).toMatch(/^delta,.*s3a:\/\/silver\/warehouse\/e2e_scratch/m);
    expect(made.output).toMatch(/^n\n2$/m);
    for (const [user, password] of [
      [sql.user, `${sql.password}x`],
      ["nobody", sql.password],
    ]) {
      const refused = probes.beeline(lab.installs!, address, user, password, "SELECT 1");
      expect(refused.status).not.toBe(0);
      expect(refused.output).toMatch(/Error validating the login|Peer indicated failure/);
    }
  });

  it("the Prefect UI is served from the build the server made at start, pointed at the published API behind basic auth", async () => {
    const ui = url("prefect");
    const page = await fetch(`${ui}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Prefect Server</title>");
    // The packaged UI holds a placeholder the server replaces with the base URL in its own copy.
    expect(html).not.toContain("PREFECT_UI_SERVE_BASE_REPLACE_PLACEHOLDER");
    const settings = (await (await fetch(`${ui}/ui-settings`)).json()) as Record<string, unknown>;
    expect(settings).toMatchObject({ api_url: `${ui}/api`, auth: "BASIC" });
  });

  it("Prefect has both flows deployed, paused daily, and ran each twice to Completed on the worker", async () => {
    const deployments = await probes.prefectDeployments(url("prefect"), creds().prefect.authString);
    expect(deployments.status).toBe(200);
    const deployed = ((await deployments.json()) as probes.PrefectDeployment[]).sort((a, b) =>
      a.name.localeCompare(b.name),
    );
    expect(deployed.map((d) => d.name)).toEqual(["bronze-to-silver", "medallion"]);
    for (const d of deployed) {
      expect(d.schedules.map((s) => s.schedule.cron)).toHaveLength(1);
      expect(d.paused || d.schedules.every((s) => !s.active)).toBe(true);
    }
    // medallion_architecture.ipynb runs medallion/medallion, silver_processing.ipynb runs
    // bronze-to-silver/bronze-to-silver: once per round, two rounds.
    for (const name of ["medallion", "bronze-to-silver"]) {
      const states = await prefectRuns(creds().prefect.authString, name);
      expect([name, states]).toEqual([name, ["COMPLETED", "COMPLETED"]]);
    }
    // Where the flow cells' time goes, task by task (beside notebooks.json's cells).
    const timings = await probes.prefectTimings(url("prefect"), creds().prefect.authString, [
      "medallion",
      "bronze-to-silver",
    ]);
    fs.writeFileSync(path.join(REPORT, "flows.json"), JSON.stringify(timings, null, 2));
    // Without the generated credential, the API refuses.
    const anonymous = await fetch(`${url("prefect")}/api/flow_runs/filter`, { method: "POST" });
    expect(anonymous.status).toBe(401);
  });

  it("each medallion run published its quality gate's result as a table artifact, every check passed", async () => {
    const artifacts = await probes.prefectArtifacts(
      url("prefect"),
      creds().prefect.authString,
      "medallion-quality",
    );
    expect(artifacts.map((a) => a.type)).toEqual(["table", "table"]);
    const c = lakeCounts();
    const latest = artifacts[0].data as { check: string; value: number; passed: boolean }[];
    expect(latest.map((row) => [row.check, row.passed])).toEqual([
      ["silver orders", true],
      ["duplicate order ids", true],
      ["orders without a time or revenue", true],
      ["share of rows rejected", true],
    ]);
    // The second round's run refined silver to what it holds now (silver_processing's late data
    // came in the first round; its replay in the second changes nothing).
    expect(latest[0].value).toBe(c.silver);
  });

  it("the lineage service holds the medallion flow's steps, bronze → silver → gold, and the Spark jobs every driver reported; the dashboard reads it with the lab's key, a wrong key is refused", () => {
    const graph = lineage();
    const step = (name: string) => {
      const job = graph.jobs.find((j) => j.name === `medallion.${name}`);
      return job && [job.inputs, job.outputs];
    };
    expect(step("land_bronze")).toEqual([[], ["s3://bronze/sales"]]);
    expect(step("ingest_landings")).toEqual([["s3://bronze/landing/nifi"], ["s3://bronze/sales"]]);
    expect(step("refine_silver")).toEqual([
      ["s3://bronze/sales"],
      ["s3://silver/sales", "s3://silver/sales_rejected"],
    ]);
    expect(step("conform_customers")).toEqual([[], ["s3://silver/customers"]]);
    expect(step("aggregate_gold")).toEqual([
      ["s3://silver/customers", "s3://silver/sales"],
      [
        "s3://gold/daily_sales",
        "s3://gold/sales_by_category",
        "s3://gold/sales_by_region",
        "s3://gold/sales_by_segment",
      ],
    ]);
    // Spark's listener, in the flow's driver (the Prefect worker) and in the notebooks' (JupyterHub):
    // gold written from silver by a Spark job of each. OpenLineage names s3a:// objects s3://, as
    // the flow's own steps do, so both are one node per table.
    const sparkJobs = (app: RegExp) =>
      graph.edges.filter(
        (e) =>
          app.test(e.job) &&
          /\.execute_/.test(e.job) &&
          e.source === "s3://silver/sales" &&
          e.target === "s3://gold/daily_sales",
      );
    expect(sparkJobs(/^medallion\./).length).toBeGreaterThan(0);
    expect(sparkJobs(/^gold_aggregations\./).length).toBeGreaterThan(0);
    expect(probes.lineageGraph(lab.runtime!, "not-the-key")).toBe(401);
  });

  it("MLflow holds the medallion notebook's runs with their metrics, and serves the artifact with no S3 keys, to its login only", async () => {
    const runs = await mlflowRuns();
    expect(runs).toHaveLength(2);
    const run = runs[0];
    expect(run.data.metrics.map((m: { key: string }) => m.key).sort()).toEqual([
      "bronze_rows",
      "gold_orders",
      "rejected_rows",
      "silver_rows",
    ]);
    const artifacts = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const csv = `/api/2.0/mlflow-artifacts/artifacts/${artifacts}/sales_by_category.csv`;
    const served = await mlflowFetch(csv);
    expect(served.status).toBe(200);
    expect((await served.text()).split("\n")[0]).toBe(
      "category,orders,units,revenue,avg_order_value",
    );
    // Without a login, or as a non-admin asking for admin's business, MLflow refuses.
    expect((await fetch(`${url("mlflow")}${csv}`)).status).toBe(401);
    const createUser = await mlflowFetch("/api/2.0/mlflow/users/create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "intruder", password: "a-long-enough-password" }),
    });
    expect(createUser.status).toBe(403);
  });

  it("ml_training registered a model version per run, with its signature and evaluation figure, and the champion alias on the last; its baseline was tracked beside it", async () => {
    const model = await mlflowGet("/api/2.0/mlflow/registered-models/get?name=lab-bulk-orders");
    const versions = await mlflowGet(
      `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name='lab-bulk-orders'")}`,
    );
    const numbers = versions.model_versions.map((v: { version: string }) => Number(v.version));
    expect(numbers.sort()).toEqual([1, 2]);
    expect(model.registered_model.aliases).toEqual([{ alias: "champion", version: "2" }]);
    const version = versions.model_versions.find((v: { version: string }) => v.version === "2");
    const run = await mlflowGet(`/api/2.0/mlflow/runs/get?run_id=${version.run_id}`);
    expect(
      Object.keys(Object.fromEntries(run.run.data.metrics.map((m: any) => [m.key, 1]))).sort(),
    ).toEqual(["accuracy", "f1", "roc_auc"]);
    expect(run.run.data.params.map((p: { key: string }) => p.key)).toContain("n_estimators");
    // Its evaluation figure went to the same run; the baseline was tracked beside it, each run.
    const figures = await mlflowGet(
      `/api/2.0/mlflow/artifacts/list?run_id=${version.run_id}&path=evaluation`,
    );
    expect(figures.files.map((f: { path: string }) => f.path)).toEqual([
      "evaluation/confusion_and_roc.png",
    ]);
    const experiment = await mlflowGet(
      "/api/2.0/mlflow/experiments/get-by-name?experiment_name=bulk-orders",
    );
    const search = await mlflowFetch("/api/2.0/mlflow/runs/search", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment_ids: [experiment.experiment.experiment_id] }),
    });
    const candidates = (((await search.json()) as any).runs as any[]).map((r) => [
      r.info.run_name,
      r.data.metrics.map((m: { key: string }) => m.key).sort(),
    ]);
    expect(candidates.sort()).toEqual([
      ["logistic-baseline", ["accuracy", "f1", "roc_auc"]],
      ["logistic-baseline", ["accuracy", "f1", "roc_auc"]],
      ["random-forest", ["accuracy", "f1", "roc_auc"]],
      ["random-forest", ["accuracy", "f1", "roc_auc"]],
    ]);
    // MLflow 3 keeps a model apart from its run (a logged model, `models:/m-…`): its MLmodel, with
    // the signature, is served through the artifact proxy from the logged model's location.
    const modelId = /^models:\/(m-[0-9a-f]+)$/.exec(version.source)?.[1];
    expect(modelId).toBeDefined();
    const logged = await mlflowGet(`/api/2.0/mlflow/logged-models/${modelId}`);
    expect(logged.model.info.source_run_id).toBe(version.run_id);
    const artifacts = logged.model.info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const mlmodel = await mlflowFetch(`/api/2.0/mlflow-artifacts/artifacts/${artifacts}/MLmodel`);
    expect(mlmodel.status).toBe(200);
    expect(await mlmodel.text()).toMatch(/signature:[\s\S]*inputs:[\s\S]*category/);
  });

  it("the dashboard shows the services' status and the gold table (screenshot in e2e-report/)", async () => {
    const text = await renderPage(
      lab.installs!,
      url("streamlit"),
      "Revenue per category",
      path.join(REPORT, "streamlit.png"),
    );
    expect(text).toContain("spark-master");
    expect(text).not.toContain("Cannot read");
  });
});

describe("after a restart on the same data with fresh credentials, as after `pulumi destroy` and `pulumi up`", () => {
  let before: {
    wiring: LabWiring;
    lake: ReturnType<typeof lakeCounts>;
    mlflowRuns: number;
    lineage: probes.LineageGraph;
  };

  beforeAll(
    async () => {
      before = {
        wiring,
        lake: lakeCounts(),
        mlflowRuns: (await mlflowRuns()).length,
        lineage: lineage(),
      };
      // Something of the user's own in the home volume, beside the examples.
      const home = `/home/${creds().jupyterhub.user}`;
      expect(lab.runtime!.exec("jupyterhub", ["touch", `${home}/mine.txt`]).status).toBe(0);
      // Every process stops; the named volumes' directories stay, as `retainDataOnDestroy` keeps
      // them. The program runs again and @pulumi/random makes every credential anew.
      lab.stop();
      wiring = await labWiring();
      started = await lab.start(wiring);
    },
    40 * 60 * 1000,
  );

  it("every credential is new", () => {
    const secrets = (c: any) => [
      c.minio.password,
      c.postgres.password,
      c.jupyterhub.password,
      c.prefect.authString,
      ...Object.values(c.s3).map((id: any) => id.secretKey),
    ];
    const old = secrets(before.wiring.credentials);
    for (const s of secrets(creds())) expect(old).not.toContain(s);
  });

  it("found every bucket kept, and adopted it instead of failing to create it", () => {
    expect(Object.values(started.adoptedBuckets).length).toBe(wiring.lake.buckets.length);
    expect(Object.values(started.adoptedBuckets).every((a) => a)).toBe(true);
  });

  it("every runnable service passes its health check again", () => {
    const runnable = wiring.containers.map((c) => c.name).filter((n) => !(n in started.notRun));
    expect(Object.keys(started.healthyAfterS).sort()).toEqual(runnable.sort());
    process.stderr.write(
      `e2e: healthy after a restart (s): ${JSON.stringify(started.healthyAfterS)}\n`,
    );
  });

  it("the lake's tables are all there, read with spark's new key; its old key is refused", () => {
    expect(lakeCounts()).toEqual(before.lake);
    expect(() => lakeCounts(before.wiring.credentials.s3.spark)).toThrow(
      /403|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/,
    );
  });

  it("the catalog still names every table, with the same rows: PostgreSQL's kept data, read with the catalog's new password", () => {
    expect(wiring.secrets["db-spark"]).not.toBe(before.wiring.secrets["db-spark"]);
    expect(catalogNames()).toEqual(catalogOf(before.lake));
  });

  it("the lineage graph is still there (PostgreSQL's kept data), read with the new key; the old key is refused", () => {
    expect(wiring.secrets["lineage-api-key"]).not.toBe(before.wiring.secrets["lineage-api-key"]);
    expect(lineage().edges).toEqual(expect.arrayContaining(before.lineage.edges));
    expect(probes.lineageGraph(lab.runtime!, before.wiring.secrets["lineage-api-key"])).toBe(401);
  });

  it("MLflow still holds the notebook's runs", async () => {
    expect((await mlflowRuns()).length).toBe(before.mlflowRuns);
  });

  it("Prefect still has the flow runs' history, behind the new credential only", async () => {
    for (const name of ["medallion", "bronze-to-silver"]) {
      const states = await prefectRuns(creds().prefect.authString, name);
      expect([name, states]).toEqual([name, ["COMPLETED", "COMPLETED"]]);
    }
    const old = await fetch(`${url("prefect")}/api/flow_runs/filter`, {
      method: "POST",
      headers: probes.prefectAuth(before.wiring.credentials.prefect.authString),
    });
    expect(old.status).toBe(401);
  });

  it("JupyterHub logs the admin in with the new password, not the old one, and the notebooks are still in its home", async () => {
    const { user, password } = creds().jupyterhub;
    expect((await hubLogin(user, password)).ok).toBe(true);
    expect((await hubLogin(user, before.wiring.credentials.jupyterhub.password)).ok).toBe(false);
    const home = `/home/${user}`;
    expect(lab.runtime!.exec("jupyterhub", ["test", "-f", `${home}/mine.txt`]).status).toBe(0);
    expect(lab.runtime!.exec("jupyterhub", ["test", "-d", `${home}/examples`]).status).toBe(0);
  });
});

describe("changes a lab in use goes through, applied to the running services as `pulumi up` applies them", () => {
  it("rotating spark's S3 key (`pulumi up --replace`) restarts only what holds it; they use the new key, the old one is refused", async () => {
    const old = wiring;
    const key = old.secrets["s3-spark"];
    expect(key).toBeDefined();
    const holders = old.containers
      .filter((c) => JSON.stringify(c).includes(key))
      .map((c) => c.name)
      .sort();
    const running = pids();
    const lake = lakeCounts();
    wiring = await labWiring({}, { secrets: old.secrets, replace: ["s3-spark"] });
    const applied = await lab.apply(wiring);
    expect([applied.removed, applied.added]).toEqual([[], []]);
    expect(applied.replaced.sort()).toEqual(holders);
    expect(holders).toEqual(
      expect.arrayContaining(["jupyterhub", "prefect-worker", "spark-worker-1"]),
    );
    expect(restartedSince(running)).toEqual(holders);
    expect(await unhealthy()).toEqual([]);
    // Only that secret changed.
    const others = (w: LabWiring) => ({ ...w.secrets, "s3-spark": undefined });
    expect(others(wiring)).toEqual(others(old));
    expect(wiring.secrets["s3-spark"]).not.toBe(key);
    // A Spark job from a restarted client: the driver and the executors read silver with the new key.
    const job = probes.countSilver(lab.runtime!, "e2e-rotated-key");
    expect([job.status, /rows (\d+)/.exec(job.output)?.[1]]).toEqual([0, String(lake.silver)]);
    expect(lakeCounts()).toEqual(lake);
    expect(() => lakeCounts(old.credentials.s3.spark)).toThrow(
      /403|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/,
    );
  });

  it("spark.workers 0 stops the workers and nothing else; back to 2 they start and register with the master again", async () => {
    const running = pids();
    const zero = await labWiring({ spark: { workers: 0 } }, { secrets: wiring.secrets });
    const down = await lab.apply(zero);
    expect([down.removed.sort(), down.replaced, down.added]).toEqual([
      ["spark-worker-1", "spark-worker-2"],
      [],
      [],
    ]);
    wiring = await labWiring({}, { secrets: zero.secrets });
    const up = await lab.apply(wiring);
    expect([up.removed, up.replaced, up.added.sort()]).toEqual([
      [],
      [],
      ["spark-worker-1", "spark-worker-2"],
    ]);
    expect(restartedSince(running)).toEqual(["spark-worker-1", "spark-worker-2"]);
    expect(await unhealthy()).toEqual([]);
    // The master's own view (its web UI's JSON): two live workers, the stopped ones dead.
    let alive = 0;
    for (let i = 0; i < 30 && alive < 2; i++) {
      const master = await sparkMaster();
      alive = master.workers.filter((w: { state: string }) => w.state === "ALIVE").length;
      if (alive < 2) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(alive).toBe(2);
  });

  it("mlflow.enabled false stops MLflow and takes it out of every client; back on, it finds its database and bucket with every run, under new credentials (its logins too)", async () => {
    const runs = await mlflowRuns();
    expect(runs.length).toBeGreaterThan(0);
    const key = wiring.secrets["s3-mlflow"];
    const labLogin = wiring.secrets["mlflow-lab"];
    expect([key, labLogin]).toEqual([expect.any(String), expect.any(String)]);
    const mlflowUrl = url("mlflow");
    const off = await labWiring({ mlflow: { enabled: false } }, { secrets: wiring.secrets });
    const stopped = await lab.apply(off);
    expect([stopped.removed, stopped.added]).toEqual([["mlflow"], []]);
    expect(off.containers.filter((c) => "MLFLOW_TRACKING_URI" in c.env)).toEqual([]);
    expect(await unhealthy()).toEqual([]);
    await expect(fetch(`${mlflowUrl}/health`)).rejects.toThrow();
    wiring = await labWiring({}, { secrets: off.secrets });
    const back = await lab.apply(wiring);
    expect([back.removed, back.added]).toEqual([[], ["mlflow"]]);
    // Its bucket was kept (retainOnDelete) and is adopted; its identities are made anew.
    expect(back.adoptedBuckets).toEqual({ mlflow: true });
    expect(off.secrets["s3-mlflow"]).toBeUndefined();
    expect(wiring.secrets["s3-mlflow"]).not.toBe(key);
    // The login is new too: the kept store was given the new password, the old one is refused.
    expect(wiring.secrets["mlflow-lab"]).not.toBe(labLogin);
    expect(await unhealthy()).toEqual([]);
    const again = await mlflowRuns();
    expect(again.map((r) => r.info.run_id).sort()).toEqual(runs.map((r) => r.info.run_id).sort());
    const artifacts = again[0].info.artifact_uri.replace(/^mlflow-artifacts:\//, "");
    const csv = await mlflowFetch(
      `/api/2.0/mlflow-artifacts/artifacts/${artifacts}/sales_by_category.csv`,
    );
    expect(csv.status).toBe(200);
  });
});

describe("sharing the Spark cluster", () => {
  it("sessions left open in notebooks give their executors back when idle, so a flow run still gets one", async () => {
    // As in JupyterLab, where a kernel keeps its SparkSession until it is shut down: two sessions
    // in the admin's server, one per worker's core, each having run a job, then left idle.
    const server = await spawnAdminServer();
    const apps = ["e2e-idle-1", "e2e-idle-2"];
    for (const app of apps) {
      const started = probes.openIdleSession(lab.runtime!, server, app);
      expect(started.status).toBe(0);
    }
    const ranJob = (app: string) => probes.idleSessionRan(lab.runtime!, app);
    for (let i = 0; i < 180 && !apps.every(ranJob); i++) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(apps.filter(ranJob)).toEqual(apps);
    // Every worker's cores are theirs now: without giving them back, nothing else could run.
    const busy = await sparkMaster();
    expect(
      busy.workers.filter((w: any) => w.state === "ALIVE").map((w: any) => w.coresused),
    ).toEqual(busy.workers.filter((w: any) => w.state === "ALIVE").map((w: any) => w.cores));
    // A run of the bronze-to-silver deployment, as the Prefect UI's "Quick run" starts it.
    const auth = creds().prefect.authString;
    const flow = "bronze-to-silver/bronze-to-silver";
    const created = await probes.prefectQuickRun(url("prefect"), auth, flow);
    expect(created.status).toBe(201);
    const runId = ((await created.json()) as { id: string }).id;
    const t0 = Date.now();
    const state = await probes.prefectRunEnd(url("prefect"), auth, runId);
    process.stderr.write(
      `e2e: with two idle sessions open, a bronze-to-silver run ended ${state} after ${(Date.now() - t0) / 1000}s\n`,
    );
    expect(state).toBe("COMPLETED");
    // The sessions are still there (their applications alive), only their executors went back.
    const after = await sparkMaster();
    expect(apps.filter((a) => after.activeapps.some((x: any) => x.name === a))).toEqual(apps);
    lab.runtime!.exec("jupyterhub", ["pkill", "-f", "e2e-idle-"]);
  });
});

describe("Spark's RPC authentication", () => {
  it("a driver without the lab's secret is refused by the master: its application never registers; with it, the same driver runs", async () => {
    // As the flows' drivers start; the first with another secret than spark-defaults.conf's.
    // Side by side: the refused one tries to register three times, 20 s apart, before it gives up
    // (Spark 4.2's StandaloneAppClient), a minute the other need not wait for.
    const driver = (app: string, secret?: string) => probes.sparkDriver(lab.runtime!, app, secret);
    const [refused, allowed] = await Promise.all([
      driver("e2e-unauthenticated", "not-the-lab-secret"),
      driver("e2e-authenticated"),
    ]);
    expect(refused.output).not.toMatch(/rows 3/);
    expect([allowed.status, /rows (\d+)/.exec(allowed.output)?.[1]]).toEqual([0, "3"]);
    const master = await sparkMaster();
    const names = [...master.activeapps, ...master.completedapps].map((a: any) => a.name);
    expect(names).toContain("e2e-authenticated");
    expect(names).not.toContain("e2e-unauthenticated");
  });
});

describe("the k8s stack's NetworkPolicies, enforced on every container throughout", () => {
  it("let through every connection the lab made: none was refused", () => {
    expect(lab.runtime!.refused()).toEqual([]);
  });

  it("refuse every other: each listening port of each container, tried from every other, opens exactly when they allow it", () => {
    const pods = lab.runtime!.pods(wiring.policies.stack);
    const wrong: string[] = [];
    let opened = 0;
    let refused = 0;
    for (const { from, to, port, opens } of probes.portSweep(lab.runtime!)) {
      const allowed = networkAllows(wiring.policies.specs, pods, from, to, port);
      if (opens) opened++;
      else refused++;
      if (opens !== allowed) {
        wrong.push(`${from} → ${to}:${port} ${opens ? "opened" : "refused"}, allowed: ${allowed}`);
      }
    }
    expect(wrong).toEqual([]);
    // Both kinds were tried: the check above compared something.
    expect([opened > 10, refused > 50]).toEqual([true, true]);
  });
});

describe("stopping", () => {
  it("every container stopped on its stop signal within its grace, none had to be killed", () => {
    const stops = lab.runtime!.stops();
    // The restart stopped every container; the changes stopped some again.
    const runnable = wiring.containers.filter((c) => !(c.name in started.notRun));
    expect([...new Set(stops.map((s) => s.name))].sort()).toEqual(
      runnable.map((c) => c.name).sort(),
    );
    expect(stops.filter((s) => s.killed)).toEqual([]);
  });
});

describe("disk", () => {
  it("each container's ephemeral-storage limit on Kubernetes is at least 1.25 × what it wrote outside its volumes", () => {
    const peaks = lab.runtime!.diskPeaks();
    const short = wiring.containers
      .filter((c) => peaks[c.name] !== undefined)
      .map((c) => ({ name: c.name, wrote: peaks[c.name], limit: wiring.scratchMiB[c.aliases[0]] }))
      .filter((d) => !(d.limit >= 1.25 * d.wrote));
    expect(short).toEqual([]);
  });
});

describe("memory", () => {
  it("every start fit in the least memory the config allows its service (what it needed from start to healthy, each start measured)", () => {
    const measured = wiring.containers.filter((c) => !(c.name in started.notRun));
    // Every start was measured: a dead sampler would leave this empty, not pass.
    expect(measured.filter((c) => !Number.isFinite(lab.startPeaksMiB[c.name]))).toEqual([]);
    const tooSmall = measured
      .filter((c) => c.aliases[0] in STARTED_WITH_MIB)
      .map((c) => ({
        name: c.name,
        started: lab.startPeaksMiB[c.name],
        least: leastMemoryMiB(c.aliases[0] as keyof typeof STARTED_WITH_MIB),
      }))
      .filter((s) => s.started > s.least);
    expect(tooSmall).toEqual([]);
  });

  it("no service was killed for memory, and each limit is at least 1.25 × the peak working set measured", () => {
    const peaks = lab.runtime!.usage();
    const measured = wiring.containers.filter((c) => !(c.name in started.notRun));
    const short = measured
      .filter(
        (c) =>
          !peaks[c.name] ||
          peaks[c.name].oomKills > 0 ||
          peaks[c.name].workingSetMiB * 1.25 > c.memoryMiB,
      )
      .map((c) => `${c.name}: limit ${c.memoryMiB} MiB, ${JSON.stringify(peaks[c.name])}`);
    expect(short).toEqual([]);
  });
});
