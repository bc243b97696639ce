/**
 * Every lab service, on both stacks, through a target-neutral view of its workload: the Docker
 * container or the Kubernetes pod template, reduced to image, command, env (credentials marked),
 * ports, volumes and health check.
 */
import {
  MOCK_SECRET_MARKER,
  one,
  ofType,
  runProgram,
  unsecret,
  type ProgramRun,
  type Registration,
} from "./harness";
import { kraftClusterId } from "../components/streaming/kafka";
import { declared, type Declared } from "./declared";

interface View {
  image: string;
  command?: string[];
  /** Plain env values; credentials appear as "<secret>". */
  env: Record<string, string>;
  /** Paths of the files holding a credential. */
  secretFiles: string[];
  ports: number[];
  volumes: string[];
  health: unknown;
  memoryMiB: number;
}

const WORKLOAD_TYPES = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];

/** The workload of a service on either platform, in one shape. */
function view(run: ProgramRun, service: string): View {
  const docker = run.registrations.find(
    (r) =>
      r.type === "docker:index/container:Container" &&
      (r.name === service || r.name === `${service}-1`),
  );
  if (docker) {
    const env: Record<string, string> = {};
    const envs = docker.inputs.envs as unknown[];
    const list = Array.isArray(envs) ? envs : (unsecret(envs) as unknown[]);
    for (const e of list) {
      const text = unsecret(e) as string;
      const key = text.slice(0, text.indexOf("="));
      const value = text.slice(key.length + 1);
      // The env list is secret as a whole once it holds a credential; tell them apart by value.
      env[key] = value.includes(MOCK_SECRET_MARKER) ? "<secret>" : value;
    }
    const pulled = run.registrations.find(
      (r) =>
        r.type === "docker:index/remoteImage:RemoteImage" &&
        `sha256:${r.name}` === docker.inputs.image,
    );
    return {
      // A pulled image by its reference; a built one by its image id.
      image: pulled && !pulled.inputs.build ? pulled.inputs.name : docker.inputs.image,
      command: docker.inputs.command,
      env,
      secretFiles: (unsecret(docker.inputs.uploads) as { file: string; content: string }[])
        .filter((u) => u.content.includes(MOCK_SECRET_MARKER))
        .map((u) => u.file),
      // Docker needs no declared ports: only the published ones are known.
      ports: (docker.inputs.ports as { internal: number }[]).map((p) => p.internal),
      volumes: (docker.inputs.volumes as { containerPath: string }[]).map((v) => v.containerPath),
      health: docker.inputs.healthcheck.tests.slice(1),
      memoryMiB: docker.inputs.memory,
    };
  }
  const k8s = run.registrations.find((r) => WORKLOAD_TYPES.includes(r.type) && r.name === service);
  if (!k8s) throw new Error(`no workload for ${service}`);
  const c = unsecret(k8s.inputs).spec.template.spec.containers[0];
  return {
    image: c.image,
    command: c.args,
    env: Object.fromEntries(
      (c.env as { name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }[]).map(
        (e) => [e.name, e.value ?? (e.valueFrom?.secretKeyRef ? "<secret>" : "<from the pod>")],
      ),
    ),
    secretFiles: (c.volumeMounts as { name: string; mountPath: string }[])
      .filter((m) => m.name === "secret-files")
      .map((m) => m.mountPath),
    ports: (c.ports as { containerPort: number }[]).map((p) => p.containerPort),
    // The data volumes, as on Docker: neither uploaded files nor the emptyDirs of writable paths.
    volumes: (c.volumeMounts as { name: string; mountPath: string; subPath?: string }[])
      .filter((m) => !m.subPath && !m.name.startsWith("scratch-"))
      .map((m) => m.mountPath),
    health:
      c.readinessProbe.exec?.command ?? c.readinessProbe.httpGet ?? c.readinessProbe.tcpSocket,
    memoryMiB: Number(c.resources.limits.memory.replace("Mi", "")),
  };
}

/** Files a workload mounts, by path (content unwrapped). */
function files(run: ProgramRun, service: string): Record<string, string> {
  const docker = run.registrations.find(
    (r) =>
      r.type === "docker:index/container:Container" &&
      (r.name === service || r.name === `${service}-1`),
  );
  if (docker) {
    return Object.fromEntries(
      (unsecret(docker.inputs.uploads) as { file: string; content: string }[]).map((u) => [
        u.file,
        u.content,
      ]),
    );
  }
  const objects = run.registrations.filter(
    (r) =>
      (r.type === "kubernetes:core/v1:ConfigMap" || r.type === "kubernetes:core/v1:Secret") &&
      r.name === service,
  );
  const data: Record<string, string> = Object.assign(
    {},
    ...objects.map((o) => unsecret(o.inputs.data ?? o.inputs.stringData)),
  );
  const k8s = run.registrations.find((r) => WORKLOAD_TYPES.includes(r.type) && r.name === service)!;
  const mounts = unsecret(k8s.inputs).spec.template.spec.containers[0].volumeMounts as {
    mountPath: string;
    subPath?: string;
  }[];
  return Object.fromEntries(
    mounts.filter((m) => m.subPath).map((m) => [m.mountPath, data[m.subPath!]]),
  );
}

const LAB_RUNTIME = {
  dev: /^dataflow-lab\/lab-runtime:[0-9a-f]{12}$/,
  k8s: /^localhost:5001\/dataflow-lab-lab-runtime:[0-9a-f]{12}@sha256:/,
};
const SPARK_CONF = "/opt/spark/conf/spark-defaults.conf";

/** The default lab per stack, evaluated once for every test in this file that reads it. */
const defaultRuns: Record<string, Promise<ProgramRun>> = {};
const defaultRun = (stack: string) => (defaultRuns[stack] ??= runProgram(stack));

describe.each(["dev", "k8s"] as const)("%s stack services", (stack) => {
  let run: ProgramRun;
  /** What the services declare, for the rules over all of them. */
  let lab: Declared;
  beforeAll(async () => {
    run = await defaultRun(stack);
    lab = await declared(stack);
  });
  const external = (port: number, nodePort: number) => (stack === "dev" ? port : nodePort);

  it("spark-master: the lab runtime, spark-class Master on 7077/8080, healthy when ALIVE", () => {
    const v = view(run, "spark-master");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual([
      "/opt/spark/bin/spark-class",
      "org.apache.spark.deploy.master.Master",
      "--port",
      "7077",
      "--webui-port",
      "8080",
    ]);
    expect(v.ports).toEqual(stack === "dev" ? [8080] : [7077, 8080]);
    expect(v.health).toEqual(
      stack === "dev"
        ? ["sh", "-c", "curl -fsS http://localhost:8080/json/ | grep -q ALIVE"]
        : { path: "/json/", port: 8080, scheme: "HTTP" },
    );
    expect(files(run, "spark-master")[SPARK_CONF]).toContain(
      "spark.master spark://spark-master:7077",
    );
  });

  it("spark-worker: registers with the master, sized by spark.workerCores/workerMemory", () => {
    const v = view(run, "spark-worker");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual([
      "/opt/spark/bin/spark-class",
      "org.apache.spark.deploy.worker.Worker",
      "--port",
      "7400",
      "--webui-port",
      "8081",
      "spark://spark-master:7077",
    ]);
    expect(v.env).toMatchObject({ SPARK_WORKER_CORES: "1", SPARK_WORKER_MEMORY: "512m" });
    expect(v.memoryMiB).toBe(1472);
  });

  it("mlflow: Postgres backend, artifacts proxied to s3://mlflow with its own identity, behind its login, /health", () => {
    const v = view(run, "mlflow");
    expect(v.command).toEqual([
      "sh",
      "-c",
      'mlflow db upgrade "$MLFLOW_BACKEND_STORE_URI" && python3 /etc/mlflow/ensure-users.py && exec "$@"',
      "sh",
      "mlflow",
      "server",
      "--app-name",
      "basic-auth",
      "--host",
      "0.0.0.0",
      "--port",
      "5000",
      "--workers",
      "1",
      "--serve-artifacts",
      "--artifacts-destination",
      "s3://mlflow",
    ]);
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    const published = external(5000, 30500);
    expect(v.env).toEqual({
      AWS_ACCESS_KEY_ID: "mlflow",
      AWS_SECRET_ACCESS_KEY: "<secret>",
      MLFLOW_BACKEND_STORE_URI: "<secret>",
      MLFLOW_S3_ENDPOINT_URL: "http://minio:9000",
      MLFLOW_AUTH_ADMIN_PASSWORD: "<secret>",
      MLFLOW_AUTH_ADMIN_USERNAME: "admin",
      MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
      MLFLOW_AUTH_CONFIG_PATH: "/etc/mlflow/basic_auth.ini",
      MLFLOW_FLASK_SERVER_SECRET_KEY: "<secret>",
      LAB_MLFLOW_USERS_FILE: "/etc/mlflow/lab-users.json",
      // MLflow 3 answers only these Host headers: its name in the lab and where it is published.
      MLFLOW_SERVER_ALLOWED_HOSTS: `mlflow,mlflow:5000,localhost,localhost:${published},localhost:*,127.0.0.1:*`,
    });
    expect(v.ports).toEqual([5000]);
  });

  it("prefect-server: on Postgres through asyncpg, basic auth, the UI pointed at the published API and built where its user may write, no analytics sent", () => {
    const v = view(run, "prefect-server");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual([
      "prefect",
      "server",
      "start",
      "--host",
      "0.0.0.0",
      "--port",
      "4200",
    ]);
    expect(v.env).toEqual({
      PREFECT_API_DATABASE_CONNECTION_URL: "<secret>",
      PREFECT_HOME: "/tmp/prefect",
      PREFECT_SERVER_ANALYTICS_ENABLED: "false",
      PREFECT_SERVER_API_AUTH_STRING: "<secret>",
      PREFECT_SERVER_UI_STATIC_DIRECTORY: "/tmp/prefect/ui_build",
      PREFECT_UI_API_URL: `http://localhost:${external(4200, 30420)}/api`,
    });
  });

  it("prefect-worker: process pool in the lab runtime, same client settings and auth", () => {
    const v = view(run, "prefect-worker");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual(["/usr/local/bin/dataflow-lab-worker-start"]);
    expect(v.env).toMatchObject({
      PREFECT_API_URL: "http://prefect-server:4200/api",
      PREFECT_API_AUTH_STRING: "<secret>",
      PREFECT_DEFAULT_WORK_POOL_NAME: "lab-pool",
      LAB_FLOWS: "/opt/lab/flows",
    });
    // The start script deploys the lab's flows; "healthy" waits for them.
    expect(files(run, "prefect-worker")["/usr/local/bin/dataflow-lab-worker-start"]).toContain(
      "deploy.py",
    );
    expect(JSON.stringify(v.health)).toContain("lab-flows-deployed");
    expect(files(run, "prefect-worker")[SPARK_CONF]).toContain(
      "spark.sql.extensions io.delta.sql.DeltaSparkSessionExtension",
    );
  });

  it("kafka: KRaft with internal kafka:9092 and a host listener, data on a kept volume, topics in the health check", () => {
    const v = view(run, "kafka");
    expect(v.image).toBe("apache/kafka:4.4.0");
    // 16 bytes in base64url, as `kafka-storage random-uuid` prints, and one per stack.
    expect(v.env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(v.env.CLUSTER_ID, "base64url")).toHaveLength(16);
    expect(kraftClusterId("dataflow-lab", "dev")).not.toBe(kraftClusterId("dataflow-lab", "k8s"));
    expect(v.env).toMatchObject({
      // The same for the stack on every `pulumi up`: the kept log directory holds it.
      CLUSTER_ID: kraftClusterId("dataflow-lab", stack),
      KAFKA_PROCESS_ROLES: "broker,controller",
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://kafka:9092,EXTERNAL://localhost:29092,LOCAL://127.0.0.1:19092`,
      LAB_KAFKA_TOPICS: "lab-events",
    });
    expect(v.env).not.toHaveProperty("KAFKA_PORT");
    expect(v.volumes).toEqual(["/var/lib/kafka/data"]);
    expect(v.health).toEqual(["/usr/local/bin/dataflow-lab-ensure-topics"]);
  });

  it("kafka-ui: kafbat on 8090 against the internal listener, behind a login", () => {
    const v = view(run, "kafka-ui");
    expect(v.env).toMatchObject({
      KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: "kafka:9092",
      SERVER_PORT: "8090",
      AUTH_TYPE: "LOGIN_FORM",
      SPRING_SECURITY_USER_NAME: "admin",
      SPRING_SECURITY_USER_PASSWORD: "<secret>",
    });
    expect(v.ports).toEqual([8090]);
  });

  it("nifi: HTTPS 8443, generated single-user login, its own props key, proxy hosts = published address and service name, repositories kept", () => {
    const v = view(run, "nifi");
    expect(v.env).toMatchObject({
      NIFI_WEB_HTTPS_PORT: "8443",
      NIFI_WEB_PROXY_HOST: `localhost:${external(8443, 30443)},nifi:8443`,
      SINGLE_USER_CREDENTIALS_USERNAME: "admin",
      SINGLE_USER_CREDENTIALS_PASSWORD: "<secret>",
      // The lab's flow definition lands in bronze as NiFi's own identity (imported at start).
      LAB_NIFI_S3_ACCESS_KEY: "nifi",
      LAB_NIFI_S3_BUCKET: "bronze",
      LAB_NIFI_S3_ENDPOINT: "http://minio:9000",
      LAB_NIFI_S3_SECRET_KEY: "<secret>",
    });
    // NiFi keeps the key it generated in its kept conf: one from Pulumi would change on a new stack.
    expect(v.env).not.toHaveProperty("NIFI_SENSITIVE_PROPS_KEY");
    expect(v.volumes).toEqual(
      [
        "conf",
        "content_repository",
        "database_repository",
        "flowfile_repository",
        "provenance_repository",
        "state",
      ].map((d) => `/opt/nifi/nifi-current/${d}`),
    );
    // Ready once the lab's flow definition is imported (services/nifi/import-flow.py).
    expect(v.health).toEqual([
      "sh",
      "-c",
      'test -f /tmp/dataflow-lab-flow-imported && "$@"',
      "sh",
      "curl",
      "-fsk",
      "https://localhost:8443/nifi-api/authentication/configuration",
    ]);
  });

  it("jupyterhub: the lab runtime, its own password check, admin password and DB from secrets, homes kept", () => {
    const v = view(run, "jupyterhub");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual(["/usr/local/bin/dataflow-lab-hub-start"]);
    expect(v.env).toMatchObject({
      HUB_ADMIN_USER: "admin",
      HUB_ADMIN_PASSWORD: "<secret>",
      HUB_COOKIE_KEY: "<secret>",
      JUPYTERHUB_DB_URL: "<secret>",
      CONFIGPROXY_AUTH_TOKEN: "<secret>",
    });
    expect(v.volumes).toEqual(["/home"]);
    const f = files(run, "jupyterhub");
    expect(f["/srv/jupyterhub/jupyterhub_config.py"]).toContain(
      'c.JupyterHub.authenticator_class = "shared-password"',
    );
    expect(f["/srv/jupyterhub/jupyterhub_config.py"]).not.toMatch(/dummy/i);
  });

  it("streamlit: the lab runtime running lab/dashboard, the gold bucket read-only, status of the other services", () => {
    const v = view(run, "streamlit");
    expect(v.image).toMatch(LAB_RUNTIME[stack]);
    expect(v.command).toEqual(["streamlit", "run", "/opt/lab/dashboard/app.py"]);
    expect(v.env).toMatchObject({
      AWS_ACCESS_KEY_ID: "streamlit",
      LAB_GOLD_BUCKET: "gold",
      STREAMLIT_SERVER_PORT: "8501",
    });
    // Each workload deployed before it that runs once and has an HTTP health check, at that check.
    const polled = lab.workloads
      .slice(
        0,
        lab.workloads.findIndex((s) => s.service === "streamlit"),
      )
      .filter((s) => s.health.http && s.replicas === undefined);
    expect(JSON.parse(v.env.LAB_HEALTH_URLS)).toEqual(
      Object.fromEntries(
        polled.map(({ service, health: { http } }) => [
          service,
          `${(http!.scheme ?? "HTTP").toLowerCase()}://${service}:${http!.port}${http!.path}`,
        ]),
      ),
    );
  });

  it("every workload holds exactly the credentials it uses, and no root credential but its own", () => {
    const credentials = (service: string) =>
      [
        ...Object.entries(view(run, service).env)
          .filter(([, v]) => v === "<secret>")
          .map(([k]) => k),
        ...view(run, service).secretFiles,
      ].sort();
    // spark-defaults.conf holds Spark's S3 key, RPC secret and the lineage key; hive-site.xml, which only the
    // drivers mount, the catalog's database login.
    const sparkConf = "/opt/spark/conf/spark-defaults.conf";
    const client = [
      sparkConf,
      "/opt/spark/conf/hive-site.xml",
      "AWS_SECRET_ACCESS_KEY",
      "MLFLOW_TRACKING_PASSWORD",
      "PREFECT_API_AUTH_STRING",
    ];
    // Every workload, each reviewed here: one added fails until its credentials are listed.
    expect(
      Object.fromEntries(lab.workloads.map((s) => [s.service, credentials(s.service)])),
    ).toEqual({
      jupyterhub: [
        ...client,
        "CONFIGPROXY_AUTH_TOKEN",
        "HUB_ADMIN_PASSWORD",
        "HUB_COOKIE_KEY",
        "JUPYTERHUB_DB_URL",
      ].sort(),
      kafka: [],
      "kafka-ui": ["SPRING_SECURITY_USER_PASSWORD"],
      minio: ["/run/secrets/minio/root-password", "/run/secrets/minio/root-user"],
      mlflow: [
        "/etc/mlflow/basic_auth.ini",
        "/etc/mlflow/lab-users.json",
        "AWS_SECRET_ACCESS_KEY",
        "MLFLOW_AUTH_ADMIN_PASSWORD",
        "MLFLOW_BACKEND_STORE_URI",
        "MLFLOW_FLASK_SERVER_SECRET_KEY",
      ],
      lineage: ["/run/secrets/lineage/api-key", "/run/secrets/lineage/database-url"],
      nifi: ["LAB_NIFI_S3_SECRET_KEY", "SINGLE_USER_CREDENTIALS_PASSWORD"],
      // Only as files, which the image's entrypoint and the health check read: one per database.
      postgres: [
        ...lab.access.databases.map((d) => `/run/secrets/postgres/databases/${d.name}`),
        "/run/secrets/postgres/superuser-password",
      ].sort(),
      "prefect-server": ["PREFECT_API_DATABASE_CONNECTION_URL", "PREFECT_SERVER_API_AUTH_STRING"],
      "prefect-worker": [...client].sort(),
      "spark-master": [sparkConf],
      // A Spark driver, with its login's users file; no MLflow or Prefect credential.
      "spark-thrift": [
        sparkConf,
        "/opt/spark/conf/hive-site.xml",
        "/run/secrets/spark-thrift/users",
        "AWS_SECRET_ACCESS_KEY",
      ].sort(),
      "spark-worker": [sparkConf],
      // Gold through its read-only identity, and the lineage graph with the lineage key.
      streamlit: ["AWS_SECRET_ACCESS_KEY", "LAB_LINEAGE_API_KEY"],
    });
    // The dashboard reads gold and the lineage graph: no address or credential of Spark, MLflow,
    // Prefect or Kafka.
    expect(Object.keys(view(run, "streamlit").env).sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_ALLOW_HTTP",
      "AWS_ENDPOINT_URL",
      "AWS_REGION",
      "AWS_SECRET_ACCESS_KEY",
      "LAB_GOLD_BUCKET",
      "LAB_HEALTH_URLS",
      "LAB_LINEAGE_API_KEY",
      "LAB_LINEAGE_URL",
      "STREAMLIT_BROWSER_GATHER_USAGE_STATS",
      "STREAMLIT_SERVER_ADDRESS",
      "STREAMLIT_SERVER_HEADLESS",
      "STREAMLIT_SERVER_PORT",
    ]);
  });

  it("the client settings reach JupyterHub and the Prefect worker with Spark's identity, Streamlit with its own", () => {
    const settings = {
      SPARK_MASTER_URL: "spark://spark-master:7077",
      AWS_ENDPOINT_URL: "http://minio:9000",
      AWS_SECRET_ACCESS_KEY: "<secret>",
      MLFLOW_TRACKING_URI: "http://mlflow:5000",
      PREFECT_API_URL: "http://prefect-server:4200/api",
      PREFECT_API_AUTH_STRING: "<secret>",
      KAFKA_BOOTSTRAP_SERVERS: "kafka:9092",
    };
    expect(view(run, "jupyterhub").env).toMatchObject({ ...settings, AWS_ACCESS_KEY_ID: "spark" });
    expect(view(run, "prefect-worker").env).toMatchObject({
      ...settings,
      AWS_ACCESS_KEY_ID: "spark",
    });
    expect(view(run, "streamlit").env).toMatchObject({
      AWS_ENDPOINT_URL: "http://minio:9000",
      AWS_SECRET_ACCESS_KEY: "<secret>",
      AWS_ACCESS_KEY_ID: "streamlit",
    });
    // Notebook servers only see what the spawner keeps: every client setting is on the list.
    const keep = view(run, "jupyterhub").env.LAB_SPAWNER_ENV_KEEP.split(" ");
    for (const key of Object.keys(settings)) expect(keep).toContain(key);
  });

  it("spark-defaults.conf carries Spark's own MinIO identity, and only as a secret", () => {
    const conf = files(run, "jupyterhub")[SPARK_CONF];
    expect(conf).toContain("spark.hadoop.fs.s3a.access.key spark");
    expect(conf).toContain("spark.hadoop.fs.s3a.secret.key mocksecret-s3-spark");
    const holder = run.registrations.filter((r) =>
      stack === "dev"
        ? r.type === "docker:index/container:Container" && r.name === "jupyterhub"
        : r.type === "kubernetes:core/v1:Secret" && r.name === "jupyterhub",
    )[0];
    expect(JSON.stringify(holder.inputs)).toContain("4dabf18193072939515e22adb298388d");
  });

  it("the default lab's memory limits sum to what the README states (within the memory its quick start asks for), and the output names every workload with what the platform allotted it", () => {
    const out = run.outputs.memoryLimitMiB.value as {
      services: Record<string, number>;
      total: number;
    };
    expect(out.total).toBe(Object.values(out.services).reduce((a, b) => a + b, 0));
    // The README's service table prints the same total.
    const readme = require("fs").readFileSync(
      require("path").join(__dirname, "..", "README.md"),
      "utf8",
    );
    const asked = Number(/\*\*([\d.]+) GiB of memory\*\*/.exec(readme)?.[1]);
    expect(out.total).toBeLessThanOrEqual(asked * 1024);
    expect(readme).toContain(`| **Total** | | | | **${out.total} MiB** | |`);
    // Each workload's limit, all its copies together (Spark's workers).
    const copies = (service: string) =>
      stack === "dev"
        ? ofType(run, "docker:index/container:Container").filter((c) =>
            (c.inputs.labels as { label: string; value: string }[]).some(
              (l) => l.label === "dataflow-lab.service" && l.value === service,
            ),
          ).length
        : run.registrations.find((r) => WORKLOAD_TYPES.includes(r.type) && r.name === service)!
            .inputs.spec.replicas;
    expect(out.services).toEqual(
      Object.fromEntries(
        lab.workloads.map((s) => [s.service, view(run, s.service).memoryMiB * copies(s.service)]),
      ),
    );
  });
});

describe("scaling and toggles", () => {
  const sparkWorkers = (r: ProgramRun, stack: string) =>
    stack === "dev"
      ? ofType(r, "docker:index/container:Container")
          .filter((c) => c.name.startsWith("spark-worker"))
          .map((c) => c.inputs.name)
      : ofType(r, "kubernetes:apps/v1:Deployment")
          .filter((d) => d.name === "spark-worker")
          .map((d) => d.inputs.spec.replicas);

  // Counts 0, 1 and 3 on each platform are components/compute/spark.test.ts; here, that the config key
  // reaches the cluster through the whole program, once per stack.
  it.each(["dev", "k8s"])(
    "%s: spark.workers = 3 gives three worker containers (Docker) or replicas (Kubernetes)",
    async (stack) => {
      const r = await runProgram(stack, { spark: { workers: 3 } });
      expect(sparkWorkers(r, stack)).toEqual(
        stack === "dev" ? [1, 2, 3].map((i) => `dataflow-lab-dev-spark-worker-${i}`) : [3],
      );
      expect(
        (r.outputs.memoryLimitMiB.value as { services: Record<string, number> }).services[
          "spark-worker"
        ],
      ).toBe(3 * 1472);
    },
  );

  // Each toggle's resources, and the lab with every optional service off, are
  // components/lab.test.ts: the lab built alone per variant, checked there against the program.

  it("kafkaUi switched on explicitly without Kafka is a config error naming both keys", async () => {
    const { programError } = await import("./harness");
    const { error, registered } = await programError("dev", {
      kafka: { enabled: false },
      kafkaUi: { enabled: true },
    });
    expect(error.message).toContain(
      "kafkaUi.enabled must be false while kafka.enabled is false (kafkaUi needs kafka), got true",
    );
    expect(registered).toEqual([]);
  });

  it("a prebuilt image from config replaces the build", async () => {
    const r = await runProgram("k8s", {
      images: { lab: "ghcr.io/acme/lab-runtime:1.0.0", registry: "localhost:5001" },
    });
    expect(ofType(r, "docker-build:index:Image").map((i) => i.name)).toEqual([]);
    expect(ofType(r, "pulumi:providers:docker-build").map((i) => i.name)).toEqual([]);
    const worker = one(r, "kubernetes:apps/v1:Deployment", "spark-worker") as Registration;
    expect(unsecret(worker.inputs).spec.template.spec.containers[0].image).toBe(
      "ghcr.io/acme/lab-runtime:1.0.0",
    );
  });

  it("Kubernetes without images.registry or prebuilt images is a config error before anything is created", async () => {
    const { programError } = await import("./harness");
    const { error, registered } = await programError("k8s", { images: {} });
    expect(error.message).toContain(
      "images.lab must be a pushed image reference when images.registry is not set",
    );
    expect(registered).toEqual([]);
  });
});
