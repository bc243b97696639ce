/**
 * The files and env the lab generates or ships for the services, tested as text: the pure builders
 * without the mock runtime, the shipped scripts and configs for syntax and for what they promise.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CLIENT_SERVICES, clientEnv } from "../components/clientSettings";
import { sparkDefaults } from "../components/compute/sparkDefaults";
import { hiveSite } from "../components/compute/hiveSite";
import { contentTag } from "../components/imageTag";
import { IMAGES } from "../components/images";
import { proxyHosts } from "../components/ingestion/nifi";
import { spawnerEnvKeep } from "../components/notebooks/jupyterhub";
import { SERVICES_DIR } from "../components/serviceFiles";
import { kafkaEnv } from "../components/streaming/kafka";
import { REPO_ROOT } from "./harness";
import { tempDirs } from "./tempDirs";

const tempDir = tempDirs();

const base = {
  masterUrl: "spark://spark-master:7077",
  s3Endpoint: "http://minio:9000",
  accessKey: "spark",
  secretKey: "s3cr3t",
  authSecret: "rpc-s3cr3t",
  executorMemory: "512m",
  executorCores: 1,
  ports: { driver: 7100, driverBlockManager: 7200, blockManager: 7300 },
  portRetries: 15,
  warehouse: "s3a://silver/warehouse",
};

/** A Spark driver's connections, as `Spark.driver` gives them. */
const SPARK_DRIVER = {
  connects: [{ service: "spark-master", port: 7077 }],
  callers: [{ service: "spark-master", port: 7100, endPort: 7115 }],
  sessionPorts: [{ port: 7100, endPort: 7115 }],
};

describe("spark-defaults.conf", () => {
  const conf = sparkDefaults(base);
  const props = Object.fromEntries(
    conf
      .split("\n")
      .filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split(" ") as [string, string]),
  );

  it("makes Delta the default catalog and points S3A at MinIO, path-style, over plain HTTP", () => {
    expect(props).toMatchObject({
      "spark.master": "spark://spark-master:7077",
      "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
      "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
      "spark.hadoop.fs.s3a.endpoint": "http://minio:9000",
      "spark.hadoop.fs.s3a.path.style.access": "true",
      "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
      "spark.hadoop.fs.s3a.access.key": "spark",
      "spark.hadoop.fs.s3a.secret.key": "s3cr3t",
    });
  });

  it("turns Spark's RPC authentication on with the shared generated secret (standalone makes none)", () => {
    expect(props).toMatchObject({
      "spark.authenticate": "true",
      "spark.authenticate.secret": "rpc-s3cr3t",
    });
  });

  it("rebuilds a Delta table's state in one partition per core the application has, not 50", () => {
    expect(props["spark.databricks.delta.snapshotPartitions"]).toBe("1");
    expect(sparkDefaults({ ...base, executorCores: 3 })).toContain(
      "spark.databricks.delta.snapshotPartitions 3",
    );
  });

  it("lists a table's files (VACUUM) in one task per core the application has, not 10000", () => {
    expect(props["spark.sql.sources.parallelPartitionDiscovery.parallelism"]).toBe("1");
    expect(sparkDefaults({ ...base, executorCores: 3 })).toContain(
      "spark.sql.sources.parallelPartitionDiscovery.parallelism 3",
    );
  });

  it("names tables in the Hive catalog, with the default database in the lake, Delta when no format is named", () => {
    expect(props).toMatchObject({
      "spark.sql.catalogImplementation": "hive",
      "spark.sql.warehouse.dir": "s3a://silver/warehouse",
      "spark.sql.sources.default": "delta",
    });
  });

  it("downloads nothing at run time (the jars are in the image)", () => {
    expect(conf).not.toContain("spark.jars.packages");
  });

  it("turns SSL on for an https endpoint", () => {
    expect(sparkDefaults({ ...base, s3Endpoint: "https://s3.example" })).toContain(
      "spark.hadoop.fs.s3a.connection.ssl.enabled true",
    );
  });

  it("sends no lineage without a receiver; with one, every driver's listener posts to it with the key", () => {
    expect(conf).not.toContain("openlineage");
    const withLineage = sparkDefaults({
      ...base,
      lineage: { url: "http://lineage:5000", endpoint: "/api/v1/lineage", apiKey: "l1n3age" },
    });
    const added = withLineage
      .split("\n")
      .filter((l) => !conf.includes(`${l}\n`))
      .map((l) => l.split(" "));
    expect(Object.fromEntries(added)).toEqual({
      "spark.extraListeners": "io.openlineage.spark.agent.OpenLineageSparkListener",
      "spark.openlineage.namespace": "dataflow-lab",
      "spark.openlineage.transport.type": "http",
      "spark.openlineage.transport.url": "http://lineage:5000",
      "spark.openlineage.transport.endpoint": "/api/v1/lineage",
      "spark.openlineage.transport.timeoutInMillis": "5000",
      "spark.openlineage.transport.auth.type": "api_key",
      "spark.openlineage.transport.auth.apiKey": "l1n3age",
    });
  });

  it("refuses a value that would break the file's format", () => {
    expect(() => sparkDefaults({ ...base, secretKey: "two words" })).toThrow(
      "spark.hadoop.fs.s3a.secret.key must be a single word",
    );
  });
});

describe("hive-site.xml", () => {
  const site = hiveSite({
    host: "postgres",
    port: 5432,
    database: "spark",
    user: "spark",
    password: 'pw<&>"',
  });
  const property = (name: string) =>
    new RegExp(`<name>${name.replace(/\./g, "\\.")}</name>\\s*<value>([^<]*)</value>`).exec(
      site,
    )?.[1];

  it("points the drivers' Hive client at the catalog's database on PostgreSQL, as its role", () => {
    expect(property("javax.jdo.option.ConnectionURL")).toBe(
      "jdbc:postgresql://postgres:5432/spark",
    );
    expect(property("javax.jdo.option.ConnectionDriverName")).toBe("org.postgresql.Driver");
    expect(property("javax.jdo.option.ConnectionUserName")).toBe("spark");
  });

  it("checks the schema PostgreSQL created and never creates tables itself (DataNucleus deadlocks doing it)", () => {
    expect(property("datanucleus.schema.autoCreateAll")).toBe("false");
    expect(property("hive.metastore.schema.verification")).toBe("true");
  });

  it("escapes the password for XML", () => {
    expect(property("javax.jdo.option.ConnectionPassword")).toBe("pw&lt;&amp;&gt;&quot;");
  });
});

describe("Kafka env", () => {
  const env = kafkaEnv({ host: "localhost", port: 29092 }, 640);

  it("is a single KRaft node whose listeners cover the lab, the host and in-container tools", () => {
    expect(env.KAFKA_PROCESS_ROLES).toBe("broker,controller");
    const listeners = env.KAFKA_LISTENERS.split(",").map((l) => l.split("://")[0]);
    const advertised = env.KAFKA_ADVERTISED_LISTENERS.split(",").map((l) => l.split("://")[0]);
    const mapped = env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP.split(",").map((l) => l.split(":")[0]);
    expect(listeners.sort()).toEqual(["CONTROLLER", "EXTERNAL", "LOCAL", "PLAINTEXT"]);
    expect(mapped.sort()).toEqual(listeners.sort());
    // Kafka refuses a controller listener among the advertised ones.
    expect(advertised.sort()).toEqual(["EXTERNAL", "LOCAL", "PLAINTEXT"]);
    expect(env.KAFKA_ADVERTISED_LISTENERS).toContain("EXTERNAL://localhost:29092");
  });

  it("keeps KRaft's unauthenticated controller listener on loopback, its own and only voter", () => {
    expect(env.KAFKA_LISTENERS.split(",")).toContain("CONTROLLER://127.0.0.1:9093");
    expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).toBe("1@127.0.0.1:9093");
  });

  it("gives the whole configuration, the log directory on the volume included: once one KAFKA_* property is set, the image applies none of its defaults", () => {
    expect(env.KAFKA_LOG_DIRS).toBe("/var/lib/kafka/data/logs");
    for (const k of [
      "KAFKA_NODE_ID",
      "KAFKA_PROCESS_ROLES",
      "KAFKA_CONTROLLER_LISTENER_NAMES",
      "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
      "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
      "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR",
    ]) {
      expect(env).toHaveProperty(k);
    }
  });

  it("sizes the heap to half the container", () => {
    expect(env.KAFKA_HEAP_OPTS).toBe("-Xms320m -Xmx320m");
  });
});

describe("client settings", () => {
  /** Every service of the lab on. */
  const EVERY_SETTING = {
    sparkMasterUrl: "spark://spark-master:7077",
    sparkDriver: SPARK_DRIVER,
    s3Endpoint: "http://minio:9000",
    mlflowTrackingUri: "http://mlflow:5000",
    prefectApiUrl: "http://prefect-server:4200/api",
    prefectAuthString: pulumi.output("admin:pw"),
    kafkaBootstrapServers: "kafka:9092",
  };

  it("give each client the lab's addresses by the names the tools read, credentials apart", () => {
    const env = clientEnv(
      EVERY_SETTING,
      { accessKey: "spark", secretKey: pulumi.output("key") },
      CLIENT_SERVICES,
    );
    expect(env.env).toEqual({
      AWS_ACCESS_KEY_ID: "spark",
      AWS_ALLOW_HTTP: "true",
      AWS_ENDPOINT_URL: "http://minio:9000",
      AWS_REGION: "us-east-1",
      KAFKA_BOOTSTRAP_SERVERS: "kafka:9092",
      MLFLOW_TRACKING_URI: "http://mlflow:5000",
      PREFECT_API_URL: "http://prefect-server:4200/api",
      SPARK_MASTER_URL: "spark://spark-master:7077",
    });
    expect(Object.keys(env.secretEnv).sort()).toEqual([
      "AWS_SECRET_ACCESS_KEY",
      "PREFECT_API_AUTH_STRING",
    ]);
  });

  it("leave out what is switched off", () => {
    const env = clientEnv(
      {
        sparkMasterUrl: "spark://spark-master:7077",
        sparkDriver: SPARK_DRIVER,
        s3Endpoint: "http://minio:9000",
      },
      { accessKey: "streamlit", secretKey: pulumi.output("key") },
      CLIENT_SERVICES,
    );
    expect(Object.keys(env.env)).not.toContain("MLFLOW_TRACKING_URI");
    expect(Object.keys(env.secretEnv)).toEqual(["AWS_SECRET_ACCESS_KEY"]);
  });

  it("give a client only the services it uses: the lake alone carries no Prefect credential", () => {
    const env = clientEnv(
      EVERY_SETTING,
      { accessKey: "streamlit", secretKey: pulumi.output("key") },
      [],
    );
    expect(Object.keys(env.env).sort()).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_ALLOW_HTTP",
      "AWS_ENDPOINT_URL",
      "AWS_REGION",
    ]);
    expect(Object.keys(env.secretEnv)).toEqual(["AWS_SECRET_ACCESS_KEY"]);
  });

  it("every one of them survives JupyterHub's spawner, which keeps only what it is told", () => {
    const env = clientEnv(
      {
        sparkMasterUrl: "x",
        sparkDriver: SPARK_DRIVER,
        s3Endpoint: "http://minio:9000",
        prefectAuthString: pulumi.output("a:b"),
      },
      { accessKey: "spark", secretKey: pulumi.output("key") },
      CLIENT_SERVICES,
    );
    const keep = spawnerEnvKeep(env);
    for (const k of [...Object.keys(env.env), ...Object.keys(env.secretEnv)])
      expect(keep).toContain(k);
    expect(keep).toEqual(expect.arrayContaining(["JAVA_HOME", "SPARK_CONF_DIR", "SPARK_HOME"]));
  });
});

describe("NiFi proxy hosts", () => {
  it("accept the published address, localhost at the published port and the service name inside the lab, once each", () => {
    expect(proxyHosts({ host: "localhost", port: 8443 }, "nifi")).toBe("localhost:8443,nifi:8443");
    expect(proxyHosts({ host: "lab-box", port: 30443 }, "nifi")).toBe(
      "lab-box:30443,localhost:30443,nifi:8443",
    );
  });
});

describe("image tags", () => {
  it("are a stable hash of what the build reads, and change with it", () => {
    const dir = tempDir("tag-");
    fs.mkdirSync(path.join(dir, "img"));
    fs.writeFileSync(path.join(dir, "img", "Dockerfile"), "FROM scratch\n");
    const first = contentTag(["img"], dir);
    expect(first).toMatch(/^[0-9a-f]{12}$/);
    expect(contentTag(["img"], dir)).toBe(first);
    fs.writeFileSync(path.join(dir, "img", "extra.txt"), "x");
    expect(contentTag(["img"], dir)).not.toBe(first);
  });

  it("cover every file the Dockerfiles copy from the repository", () => {
    for (const image of Object.values(IMAGES)) {
      const copied = [
        ...fs
          .readFileSync(path.join(REPO_ROOT, image.dockerfile), "utf8")
          .matchAll(/^COPY (?!--from)(?:--\S+ )*(\S+)/gm),
      ].map((m) => m[1]);
      expect(copied.length).toBeGreaterThan(0);
      for (const src of copied) {
        expect([src, image.inputs.some((i) => src === i || src.startsWith(`${i}/`))]).toEqual([
          src,
          true,
        ]);
      }
    }
  });
});

describe("shipped scripts and configs", () => {
  const scripts = ["postgres/ensure-databases.sh", "kafka/ensure-topics.sh", "jupyterhub/start.sh"];

  it.each(scripts)("%s is valid bash and stops on the first error", (script) => {
    const file = path.join(SERVICES_DIR, script);
    expect(spawnSync("bash", ["-n", file]).status).toBe(0);
    expect(fs.readFileSync(file, "utf8")).toContain("set -euo pipefail");
  });

  const python = spawnSync("python3", ["--version"]).status === 0;
  (python ? it : it.skip).each([
    "services/jupyterhub/jupyterhub_config.py",
    "lab/flows/bronze_to_silver.py",
    "lab/flows/deploy.py",
    "lab/flows/lakehouse.py",
    "lab/flows/medallion.py",
    "lab/dashboard/app.py",
  ])("%s is valid Python", (file) => {
    const r = spawnSync("python3", [
      "-c",
      "import ast,sys; ast.parse(open(sys.argv[1]).read())",
      path.join(REPO_ROOT, file),
    ]);
    expect(r.stderr.toString()).toBe("");
    expect(r.status).toBe(0);
  });

  it("the JupyterHub config lets in its admin only, with the generated password: no password for other users, never the dummy authenticator", () => {
    const config = fs.readFileSync(
      path.join(SERVICES_DIR, "jupyterhub/jupyterhub_config.py"),
      "utf8",
    );
    expect(config).toContain('c.JupyterHub.authenticator_class = "shared-password"');
    expect(config).toContain("c.Authenticator.allowed_users = {admin}");
    expect(config).toContain(
      'c.SharedPasswordAuthenticator.admin_password = os.environ["HUB_ADMIN_PASSWORD"]',
    );
    expect(config).not.toMatch(/dummy|user_password/i);
  });

  const NOTEBOOKS = path.join(REPO_ROOT, "lab/notebooks");
  it("the example notebooks are the lab's seven, in the admin's examples/ folder", () => {
    expect(fs.readdirSync(NOTEBOOKS).sort()).toEqual([
      "bronze_ingestion.ipynb",
      "delta_operations.ipynb",
      "gold_aggregations.ipynb",
      "medallion_architecture.ipynb",
      "ml_training.ipynb",
      "silver_processing.ipynb",
      "streaming.ipynb",
    ]);
    expect(fs.readFileSync(path.join(SERVICES_DIR, "jupyterhub/start.sh"), "utf8")).toContain(
      '"$home/examples"',
    );
  });

  it.each(fs.readdirSync(NOTEBOOKS))(
    "%s is valid nbformat 4, has no outputs, and sets no address or password",
    (name) => {
      const nb = JSON.parse(fs.readFileSync(path.join(NOTEBOOKS, name), "utf8"));
      expect(nb.nbformat).toBe(4);
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      expect(code.length).toBeGreaterThan(3);
      for (const c of code) expect(c.outputs).toEqual([]);
      const source = code.map((c: { source: string[] }) => c.source.join("")).join("\n");
      expect(source).not.toMatch(/minio:9000|spark:\/\/|kafka:9092|secret_key|password/i);
    },
  );
});
