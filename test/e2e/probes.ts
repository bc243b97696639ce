/**
 * What the real-services scenario asks the running lab, as the lab's users and clients ask it: a
 * service's API over HTTP, Python in a container or in the lab runtime's environment. Each takes
 * the runtime, address and login it goes through: the scenario restarts and reconfigures the lab,
 * and its credentials change with it.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "../harness";
import { Browser, labPython } from "./clients";
import type { Installs } from "./installs";
import type { LabRuntime } from "./runtime";

/** What `exec` says: the command's status and its output. */
type Exec = ReturnType<LabRuntime["exec"]>;

/** A MinIO identity: one of the lab's (the credentials' `s3`), or any other. */
export interface S3Identity {
  readonly accessKey: string;
  readonly secretKey: string;
}

/** A user's JupyterHub server: its process's uid and environment, which its kernels get. */
export interface UserServer {
  readonly pid: number;
  readonly uid: number;
  readonly env: Record<string, string>;
}

/** MLflow as its clients reach it: its address, and the password of their login (`lab`). */
export interface MlflowLogin {
  readonly url: string;
  readonly password: string;
}

/** The running containers that fail their own health check now (each checked at once). */
export async function unhealthy(runtime: LabRuntime): Promise<string[]> {
  const names = runtime.names();
  const checks = await Promise.all(names.map((n) => runtime.health(n)));
  return names.filter((_, i) => !checks[i].ok);
}

/** Each running container's own process, to tell which ones a change restarted. */
export function pids(runtime: LabRuntime): Record<string, number | undefined> {
  return Object.fromEntries(runtime.names().map((n) => [n, runtime.pid(n)]));
}

/** The containers whose process is no longer the one `before` recorded: restarted or stopped. */
export function restartedSince(
  runtime: LabRuntime,
  before: Record<string, number | undefined>,
): string[] {
  return Object.keys(before)
    .filter((n) => runtime.pid(n) !== before[n])
    .sort();
}

/**
 * Each running container's connection to each port another one listens on, tried from inside it,
 * and whether it opened.
 */
export function portSweep(
  runtime: LabRuntime,
): { from: string; to: string; port: number; opens: boolean }[] {
  const running = runtime.names();
  const listening = Object.fromEntries(running.map((n) => [n, runtime.listening(n)]));
  return running.flatMap((from) => {
    const targets = running
      .filter((to) => to !== from)
      .flatMap((to) => listening[to].map((port) => ({ to, port })));
    const opens = runtime.connects(from, targets);
    return targets.map((t, i) => ({ from, ...t, opens: opens[i] }));
  });
}

/** The topics Kafka lists, asked in its container (with a small heap: the broker's limit is shared). */
export function kafkaTopics(runtime: LabRuntime): Exec {
  return runtime.exec("kafka", [
    "env",
    "KAFKA_HEAP_OPTS=-Xmx64m",
    "/opt/kafka/bin/kafka-topics.sh",
    "--bootstrap-server",
    "127.0.0.1:19092",
    "--list",
  ]);
}

/** Whether `id` may `op` ("read" or "write") `bucket`: "allowed", or MinIO's error code. */
export function s3Access(installs: Installs, id: S3Identity, op: string, bucket: string): string {
  const r = labPython(
    installs,
    `
import sys, boto3, botocore
s3 = boto3.client("s3", endpoint_url="http://localhost:9000", aws_access_key_id=sys.argv[1],
                  aws_secret_access_key=sys.argv[2], region_name="us-east-1")
op, bucket = sys.argv[3], sys.argv[4]
try:
    if op == "read":
        s3.list_objects_v2(Bucket=bucket)
    else:
        s3.put_object(Bucket=bucket, Key="e2e-probe.txt", Body=b"x")
        s3.delete_object(Bucket=bucket, Key="e2e-probe.txt")
    print("allowed")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"])
`,
    [id.accessKey, id.secretKey, op, bucket],
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

/** What the examples left in the lake, read with an identity's keys. */
export function lakeCounts(installs: Installs, id: S3Identity): any {
  const r = labPython(
    installs,
    `
import json, sys
sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, "lab/flows"))})
import lakehouse
from deltalake import DeltaTable
import pyarrow.compute as pc
opts = {"AWS_ENDPOINT_URL": "http://localhost:9000", "AWS_ALLOW_HTTP": "true", "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": ${JSON.stringify(id.accessKey)}, "AWS_SECRET_ACCESS_KEY": ${JSON.stringify(id.secretKey)}}
def table(path):
    return DeltaTable(path.replace("s3a://", "s3://"), storage_options=opts)
# What NiFi landed: every order file under the landing prefix, read from MinIO.
import boto3
s3 = boto3.client("s3", endpoint_url=opts["AWS_ENDPOINT_URL"], aws_access_key_id=opts["AWS_ACCESS_KEY_ID"],
                  aws_secret_access_key=opts["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
bucket, prefix = lakehouse.LANDING.replace("s3a://", "").split("/", 1)
keys = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        for o in page.get("Contents", []) if o["Key"].endswith(".json")]
landed = [json.loads(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]
bronze = table(lakehouse.BRONZE).to_pyarrow_table()
batches = sorted(set(bronze["_batch"].to_pylist()))
days = [int(b.split("-")[1]) for b in batches if b.startswith("day-")]
silver = table(lakehouse.SILVER).to_pyarrow_table()
gold = {name: table(path).to_pyarrow_table() for name, path in lakehouse.GOLD.items()}
stream = table(lakehouse.CLICKSTREAM)
print(json.dumps({
  "batches": batches,
  "landed": len(landed),
  "expected": lakehouse.expected_counts(days, lakehouse.LATE_BATCH in batches, landed),
  "bronze": bronze.num_rows,
  "silver": silver.num_rows,
  "silver_ids": len(set(silver["order_id"].to_pylist())),
  "rejected": table(lakehouse.REJECTED).to_pyarrow_table().num_rows,
  "customers": table(lakehouse.CUSTOMERS).to_pyarrow_table().num_rows,
  "gold_orders": {n: pc.sum(t["orders"]).as_py() for n, t in gold.items()},
  "gold_rows": {n: t.num_rows for n, t in gold.items()},
  "bronze_versions": len(table(lakehouse.BRONZE).history()),
  "clickstream": stream.to_pyarrow_table().num_rows,
  "silver_clickstream": table(lakehouse.SILVER_CLICKSTREAM).to_pyarrow_table().num_rows,
  "stream_commits": sum(1 for h in stream.history() if h.get("operation") == "STREAMING UPDATE"),
}))
# The counts are out. Skip the interpreter's teardown: a native thread pool under delta-rs/PyArrow
# once aborted it ("terminate called without an active exception", on a busy machine), which
# would fail the read after it had succeeded.
sys.stdout.flush()
import os
os._exit(0)
`,
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

/**
 * A SQL client on the host, as a BI tool connects: beeline (the HiveServer2 JDBC driver in Spark's
 * distribution) at the published `address` (`host:port`), the password from a file as its `-w`
 * reads it. Rows come back as CSV with a header.
 */
export function beeline(
  installs: Installs,
  address: string,
  user: string,
  password: string,
  sql: string,
): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "beeline-"));
  try {
    const passwordFile = path.join(dir, "password");
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
    const r = spawnSync(
      path.join(installs.sparkHome, "bin/beeline"),
      [
        "-u",
        `jdbc:hive2://${address}/default`,
        "-n",
        user,
        "-w",
        passwordFile,
        "--outputformat=csv2",
        "--silent=true",
        "-e",
        sql,
      ],
      {
        encoding: "utf8",
        env: {
          PATH: `${path.join(installs.javaHome, "bin")}:${process.env.PATH}`,
          JAVA_HOME: installs.javaHome,
          SPARK_HOME: installs.sparkHome,
          // Its own conf directory, empty: the client needs none of the lab's Spark settings.
          SPARK_CONF_DIR: dir,
        },
        timeout: 300_000,
      },
    );
    return { status: r.status, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Lands `count` orders in bronze as NiFi's lab flow does (the order and key rendered from
 * services/nifi/lab-flow.json by test/lab/nifi_landing.py), with NiFi's own identity: NiFi itself
 * cannot run here. Prints the keys it put.
 */
export function landAsNifi(installs: Installs, id: S3Identity, count: number): string[] {
  const r = labPython(
    installs,
    `
import json, sys, time
from datetime import datetime
sys.path.insert(0, ${JSON.stringify(path.join(REPO_ROOT, "test/lab"))})
import boto3, nifi_landing
s3 = boto3.client("s3", endpoint_url="http://localhost:9000", aws_access_key_id=sys.argv[1],
                  aws_secret_access_key=sys.argv[2], region_name="us-east-1")
for _ in range(int(sys.argv[3])):
    key, order = nifi_landing.landing(datetime.now())
    s3.put_object(Bucket="bronze", Key=key, Body=json.dumps(order).encode(), ContentType="application/json")
    print(key)
    time.sleep(0.01)  # NiFi's order ids are its clock's milliseconds
`,
    [id.accessKey, id.secretKey, String(count)],
  );
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split("\n");
}

/** Logs in through JupyterHub's form, as a browser does (the _xsrf cookie and field). */
export async function hubLogin(
  hub: string,
  user: string,
  password: string,
): Promise<{ browser: Browser; ok: boolean }> {
  const browser = new Browser();
  const page = await browser.request(`${hub}/hub/login`);
  const xsrf = /name="_xsrf" value="([^"]+)"/.exec(page.text)?.[1];
  expect(xsrf).toBeDefined();
  // What the form's token is checked against; without it the check fails once a second has passed.
  expect(browser.cookie("_xsrf")).toBeDefined();
  const r = await browser.request(`${hub}/hub/login?next=`, {
    form: { username: user, password, _xsrf: xsrf! },
  });
  const ok = r.status === 302 && browser.cookie("jupyterhub-session-id") !== undefined;
  if (!ok) {
    // A refusal is expected for a wrong password; said here so an unexpected one can be read.
    const said = /<p[^>]*class="login_error"[^>]*>([^<]*)/.exec(r.text)?.[1]?.trim();
    process.stderr.write(
      `e2e: JupyterHub login of ${user}: ${r.status} ${r.headers.get("location") ?? ""} ${said ?? r.text.slice(0, 200)}\n`,
    );
  }
  return { browser, ok };
}

/**
 * Logs the admin in at `hub`, spawns their server through the REST API as a script would (with a
 * token the hub's own token page makes), and returns its process once the hub says it is ready.
 */
export async function spawnAdminServer(
  runtime: LabRuntime,
  hub: string,
  { user, password }: { user: string; password: string },
): Promise<UserServer> {
  const { browser } = await hubLogin(hub, user, password);
  // The token JupyterHub's own pages send with API calls (window.jhdata.xsrf_token).
  const home = await browser.request(`${hub}/hub/home`);
  const xsrf = /xsrf_token: "([^"]+)"/.exec(home.text)?.[1];
  expect(xsrf).toBeDefined();
  // An API token, as the hub's own token page makes one (the browser's session + XSRF token);
  // the rest goes through the REST API with it, as a script would.
  const made = await browser.request(`${hub}/hub/api/users/${user}/tokens`, {
    method: "POST",
    json: { note: "e2e", expires_in: 3600 },
    headers: { "X-XSRFToken": xsrf! },
  });
  expect(made.status).toBe(201);
  const api = { authorization: `token ${JSON.parse(made.text).token}` };
  const spawn = await browser.request(`${hub}/hub/api/users/${user}/server`, {
    method: "POST",
    headers: api,
  });
  expect([201, 202]).toContain(spawn.status);
  let server: UserServer | undefined;
  let last = "";
  for (let i = 0; i < 180 && !server; i++) {
    const state = await browser.request(`${hub}/hub/api/users/${user}`, { headers: api });
    last = `${state.status} ${state.text}`;
    if (state.status === 200 && JSON.parse(state.text).servers?.[""]?.ready) {
      server = runtime
        .processes("jupyterhub")
        .find((p) => p.cmdline.some((a) => a.endsWith("jupyterhub-singleuser")));
    }
    if (!server) await new Promise((r) => setTimeout(r, 1000));
  }
  if (!server)
    throw new Error(
      `the admin's server never became ready: ${last}\n${runtime.tail("jupyterhub")}`,
    );
  return server;
}

/**
 * Runs a notebook to the end in a user's server, as its uid with its environment, from the
 * notebook's directory; the executed copy goes to `out`. It prints, also when a cell failed, the
 * line `cells {"<cell id>": seconds, ...}`: each code cell run, from when the kernel began it to its
 * reply (the times nbclient records in the cell's metadata).
 */
export function runNotebook(
  runtime: LabRuntime,
  server: UserServer,
  notebook: string,
  out: string,
): Exec {
  return runtime.exec(
    "jupyterhub",
    [
      "python3",
      "-c",
      `import datetime, json, sys, nbformat, nbclient
nb = nbformat.read(sys.argv[1], 4)
try:
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
finally:
    nbformat.write(nb, sys.argv[3])
    seconds = {}
    for cell in nb.cells:
        ran = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in ran and "shell.execute_reply" in ran:
            began, ended = (datetime.datetime.fromisoformat(ran[k].replace("Z", "+00:00")) for k in ("iopub.execute_input", "shell.execute_reply"))
            seconds[cell.get("id", "?")] = round((ended - began).total_seconds(), 1)
    print("cells", json.dumps(seconds), flush=True)`,
      notebook,
      path.posix.dirname(notebook),
      out,
    ],
    1800,
    { user: [server.uid, server.uid], env: server.env },
  );
}

/** The per-cell seconds a `runNotebook` printed, or {} if it printed none. */
export function cellSeconds(output: string): Record<string, number> {
  const line = output
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("cells {"));
  return line ? JSON.parse(line.slice("cells ".length)) : {};
}

/** The Spark master's own view of the cluster (its web UI's JSON): workers and applications. */
export async function sparkMaster(sparkUi: string): Promise<any> {
  // Node's fetch may reuse a pooled connection the UI's Jetty has just closed as idle ("other
  // side closed", seen after a minute without a call): one new connection is then asked for.
  for (let attempt = 1; ; attempt++) {
    try {
      return await (await fetch(`${sparkUi}/json/`)).json();
    } catch (e) {
      if (attempt >= 3 || !/fetch failed/.test(String(e))) throw e;
    }
  }
}

/** A Spark job, run as a flow runs one (in prefect-worker): prints silver's count as `rows N`. */
export function countSilver(runtime: LabRuntime, app: string): Exec {
  return runtime.exec(
    "prefect-worker",
    [
      "python3",
      "-c",
      `import sys
sys.path.insert(0, "/opt/lab/flows")
import lakehouse
spark = lakehouse.spark("${app}")
print("rows", spark.read.format("delta").load(lakehouse.SILVER).count())
spark.stop()`,
    ],
    600,
  );
}

/**
 * The catalog as a new driver sees it (in prefect-worker, as a flow's driver starts): the tables
 * of each layer's database and of `default`, and the rows of each of the lab's tables, read by
 * name. Prints one line, `catalog {"tables": {"bronze": [...], ...}, "rows": {"bronze.sales": N}}`.
 */
export function catalogTables(runtime: LabRuntime, app: string): Exec {
  return runtime.exec(
    "prefect-worker",
    [
      "python3",
      "-c",
      `import json, sys
sys.path.insert(0, "/opt/lab/flows")
import lakehouse
spark = lakehouse.spark("${app}")
databases = ("bronze", "silver", "gold", "default")
tables = {db: sorted(r.tableName for r in spark.sql(f"SHOW TABLES IN {db}").collect()) for db in databases}
rows = {name: spark.table(name).count() for name in lakehouse.TABLES}
print("catalog", json.dumps({"tables": tables, "rows": rows}), flush=True)
spark.stop()`,
    ],
    600,
  );
}

/**
 * A SparkSession left open in a user's server, as a notebook's kernel keeps one: it counts silver's
 * rows once, then holds its application (and, until they idle out, its executors) for 30 minutes.
 */
export function openIdleSession(runtime: LabRuntime, server: UserServer, app: string): Exec {
  return runtime.exec(
    "jupyterhub",
    [
      "sh",
      "-c",
      `python3 -c "$0" ${app} > /tmp/${app}.log 2>&1 &`,
      `import sys, time
sys.path.insert(0, "/opt/lab/flows")
import lakehouse
spark = lakehouse.spark(sys.argv[1])
print("rows", spark.read.format("delta").load(lakehouse.SILVER).count(), flush=True)
time.sleep(1800)`,
    ],
    30,
    { user: [server.uid, server.uid], env: server.env },
  );
}

/** Whether an idle session's job has run. */
export function idleSessionRan(runtime: LabRuntime, app: string): boolean {
  return /rows \d+/.test(runtime.exec("jupyterhub", ["cat", `/tmp/${app}.log`]).output);
}

/**
 * A driver started as the flows' drivers start (in prefect-worker, with its spark-defaults.conf),
 * with `secret` instead of the lab's if given; it prints `rows 3` once it ran a job.
 */
export function sparkDriver(runtime: LabRuntime, app: string, secret?: string): Promise<Exec> {
  return runtime.execAsync(
    "prefect-worker",
    [
      "timeout",
      "-s",
      "KILL",
      "150",
      "python3",
      "-c",
      `from pyspark.sql import SparkSession
b = SparkSession.builder.appName("${app}")
${secret ? `b = b.config("spark.authenticate.secret", "${secret}")` : ""}
spark = b.getOrCreate()
print("rows", spark.range(3).count())
spark.stop()`,
    ],
    180,
  );
}

/** The header Prefect's API takes its basic-auth credential in (`user:password`). */
export function prefectAuth(authString: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(authString).toString("base64")}` };
}

/** A deployment's flow runs' state types, asked with a Prefect credential. */
export async function prefectRuns(
  prefect: string,
  authString: string,
  deployment: string,
): Promise<string[]> {
  const runs = await fetch(`${prefect}/api/flow_runs/filter`, {
    method: "POST",
    headers: { ...prefectAuth(authString), "content-type": "application/json" },
    body: JSON.stringify({ deployments: { name: { any_: [deployment] } } }),
  });
  expect(runs.status).toBe(200);
  return ((await runs.json()) as { state_type: string }[]).map((r) => r.state_type);
}

/** Where a flow run's time went: from its creation to its start, its run, and each task's run. */
export interface FlowRunTiming {
  deployment: string;
  run: string;
  state: string;
  waitedSeconds: number;
  ranSeconds: number;
  tasks: Record<string, number>;
}

/**
 * Every flow run of these deployments, oldest first, timed as Prefect recorded it: what to make
 * faster when a notebook's flow cell is slow (the rest of the cell is the kernel polling).
 */
export async function prefectTimings(
  prefect: string,
  authString: string,
  deployments: string[],
): Promise<FlowRunTiming[]> {
  const post = async (route: string, body: object) => {
    const r = await fetch(`${prefect}/api/${route}`, {
      method: "POST",
      headers: { ...prefectAuth(authString), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (r.status !== 200) throw new Error(`${route}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const seconds = (from: string | null, to: string | null) =>
    from && to ? (Date.parse(to) - Date.parse(from)) / 1000 : NaN;
  const timings: FlowRunTiming[] = [];
  for (const deployment of deployments) {
    const runs = (await post("flow_runs/filter", {
      deployments: { name: { any_: [deployment] } },
      sort: "START_TIME_ASC",
    })) as {
      id: string;
      name: string;
      state_type: string;
      created: string;
      start_time: string | null;
      total_run_time: number;
    }[];
    for (const run of runs) {
      const tasks = (await post("task_runs/filter", {
        flow_runs: { id: { any_: [run.id] } },
        sort: "EXPECTED_START_TIME_ASC",
      })) as { name: string; total_run_time: number }[];
      timings.push({
        deployment,
        run: run.name,
        state: run.state_type,
        waitedSeconds: seconds(run.created, run.start_time),
        ranSeconds: run.total_run_time,
        tasks: Object.fromEntries(tasks.map((t) => [t.name, t.total_run_time])),
      });
    }
  }
  return timings;
}

/** The artifacts of `key`, newest first, with their data parsed (a table: its rows). */
export async function prefectArtifacts(
  prefect: string,
  authString: string,
  key: string,
): Promise<{ key: string; type: string; flow_run_id: string; data: unknown }[]> {
  const r = await fetch(`${prefect}/api/artifacts/filter`, {
    method: "POST",
    headers: { ...prefectAuth(authString), "content-type": "application/json" },
    body: JSON.stringify({ artifacts: { key: { any_: [key] } }, sort: "CREATED_DESC" }),
  });
  if (r.status !== 200) throw new Error(`artifacts/filter: ${r.status} ${await r.text()}`);
  const artifacts = (await r.json()) as {
    key: string;
    type: string;
    flow_run_id: string;
    data: unknown;
  }[];
  return artifacts.map((a) => ({
    ...a,
    data: typeof a.data === "string" ? JSON.parse(a.data) : a.data,
  }));
}

/** The lineage service's graph (services/lineage/receiver.py), as it answers each job. */
export interface LineageGraph {
  datasets: { id: string; label: string }[];
  jobs: { namespace: string; name: string; inputs: string[]; outputs: string[] }[];
  edges: { source: string; target: string; job: string }[];
}

/**
 * The lineage graph as the dashboard asks for it: from inside its container, at its
 * LAB_LINEAGE_URL with its LAB_LINEAGE_API_KEY (the lineage service is not published), or with
 * `key` instead. Returns the graph, or the HTTP status it was refused with.
 */
export function lineageGraph(runtime: LabRuntime, key?: string): LineageGraph | number {
  const r = runtime.exec("streamlit", [
    "python3",
    "-c",
    `import json, os, sys, urllib.error, urllib.request
key = sys.argv[1] if len(sys.argv) > 1 else os.environ["LAB_LINEAGE_API_KEY"]
request = urllib.request.Request(
    os.environ["LAB_LINEAGE_URL"] + "/api/v1/graph", headers={"Authorization": "Bearer " + key})
try:
    print("graph", json.dumps(json.load(urllib.request.urlopen(request, timeout=20))))
except urllib.error.HTTPError as error:
    print("status", error.code)`,
    ...(key === undefined ? [] : [key]),
  ]);
  const m = /^(graph|status) (.*)$/m.exec(r.output);
  if (r.status !== 0 || !m) throw new Error(`lineage graph: ${r.output}`);
  return m[1] === "graph" ? (JSON.parse(m[2]) as LineageGraph) : Number(m[2]);
}

/** A deployment as Prefect's API describes it: what the scenario reads of it. */
export interface PrefectDeployment {
  name: string;
  paused: boolean;
  schedules: { active: boolean; schedule: { cron: string } }[];
}

/** Prefect's answer to a listing of every deployment, whose body is a `PrefectDeployment[]`. */
export function prefectDeployments(prefect: string, authString: string): Promise<Response> {
  return fetch(`${prefect}/api/deployments/filter`, {
    method: "POST",
    headers: { ...prefectAuth(authString), "content-type": "application/json" },
    body: JSON.stringify({}),
  });
}

/**
 * A flow run of `deployment` (`flow/deployment`), created as the Prefect UI's "Quick run" creates
 * one: the server's answer, whose body is the run.
 */
export async function prefectQuickRun(
  prefect: string,
  authString: string,
  deployment: string,
): Promise<Response> {
  const api = `${prefect}/api`;
  const auth = { ...prefectAuth(authString), "content-type": "application/json" };
  const found = (await (
    await fetch(`${api}/deployments/name/${deployment}`, { headers: auth })
  ).json()) as { id: string };
  return fetch(`${api}/deployments/${found.id}/create_flow_run`, {
    method: "POST",
    headers: auth,
    body: JSON.stringify({}),
  });
}

/** The state type a flow run ends in, waited for up to ten minutes (else the last one seen). */
export async function prefectRunEnd(
  prefect: string,
  authString: string,
  runId: string,
): Promise<string> {
  const auth = { ...prefectAuth(authString), "content-type": "application/json" };
  let state = "";
  for (let i = 0; i < 600 && !["COMPLETED", "FAILED", "CRASHED"].includes(state); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const run = await fetch(`${prefect}/api/flow_runs/${runId}`, { headers: auth });
    state = ((await run.json()) as { state_type: string }).state_type;
  }
  return state;
}

/**
 * A request to MLflow as its clients make it: with the notebooks' and flows' login (`lab`), from
 * the stack's generated password.
 */
export function mlflowFetch(
  mlflow: MlflowLogin,
  route: string,
  init: RequestInit = {},
): Promise<Response> {
  const login = Buffer.from(`lab:${mlflow.password}`).toString("base64");
  return fetch(`${mlflow.url}${route}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Basic ${login}` },
  });
}

/** What MLflow's API answers a GET with, read as JSON. */
export async function mlflowGet(mlflow: MlflowLogin, route: string): Promise<any> {
  return (await mlflowFetch(mlflow, route)).json();
}

/** The medallion notebook's MLflow runs. */
export async function mlflowRuns(mlflow: MlflowLogin): Promise<any[]> {
  const exp = await mlflowGet(
    mlflow,
    "/api/2.0/mlflow/experiments/get-by-name?experiment_name=medallion-architecture",
  );
  const search: any = await (
    await mlflowFetch(mlflow, "/api/2.0/mlflow/runs/search", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment_ids: [exp.experiment.experiment_id] }),
    })
  ).json();
  return search.runs ?? [];
}
