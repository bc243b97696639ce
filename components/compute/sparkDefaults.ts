/** Inputs of {@link sparkDefaults}. */
export interface SparkDefaultsInput {
  /** e.g. `spark://spark-master:7077`. */
  readonly masterUrl: string;
  /** MinIO's S3 API inside the lab, e.g. `http://minio:9000`; `https://` turns on S3A's TLS. */
  readonly s3Endpoint: string;
  /** Spark's MinIO identity. */
  readonly accessKey: string;
  /** Its secret key: the file is therefore mounted as a secret. */
  readonly secretKey: string;
  /**
   * The secret every daemon and application of the cluster shares for RPC authentication
   * (`spark.authenticate`): without it, any client that reaches the master's 7077 can submit code
   * to workers that hold the lake's read-write key.
   * @see https://spark.apache.org/docs/3.5.8/security.html#spark-rpc-communication-protocol-between-spark-processes
   */
  readonly authSecret: string;
  /** Executor heap, ≤ the workers' SPARK_WORKER_MEMORY, e.g. "512m". */
  readonly executorMemory: string;
  /** Cores per executor, and the cap of cores one application takes (spark.cores.max). */
  readonly executorCores: number;
  /** First port of a driver's RPC, of its block manager, and of an executor's block manager. */
  readonly ports: {
    readonly driver: number;
    readonly driverBlockManager: number;
    readonly blockManager: number;
  };
  /** How many ports past each first one a busy port moves to (spark.port.maxRetries). */
  readonly portRetries: number;
  /** Where the catalog's `default` database keeps its tables, e.g. `s3a://silver/warehouse`. */
  readonly warehouse: string;
  /** Where every driver sends its OpenLineage events, and the key; unset, none are sent. */
  readonly lineage?: LineageSink;
}

/** An OpenLineage receiver: Marquez's API or the lab's own (`http://lineage:5000`). */
export interface LineageSink {
  readonly url: string;
  /** The path events are posted to, e.g. `/api/v1/lineage`. */
  readonly endpoint: string;
  readonly apiKey: string;
}

/** The jobs' namespace in the lineage graph: every driver of the lab is one producer. */
export const LINEAGE_NAMESPACE = "dataflow-lab";

/** How long an application keeps an executor it does not use (Spark's own executorIdleTimeout). */
const IDLE_EXECUTOR = "60s";

/**
 * OpenLineage's listener in every driver (its jar is in the image): each job that reads or writes
 * a dataset posts START and COMPLETE events with its inputs and outputs, over HTTP with the key as
 * a bearer token (openlineage-java's HttpConfig and ApiKeyTokenProvider, 1.53.0). A receiver that
 * is down costs a job a logged error and the timeout, never its result.
 * @see https://openlineage.io/docs/integrations/spark/configuration/spark_conf
 */
function lineage(sink: LineageSink | undefined): [string, string][] {
  if (!sink) return [];
  return [
    ["spark.extraListeners", "io.openlineage.spark.agent.OpenLineageSparkListener"],
    ["spark.openlineage.namespace", LINEAGE_NAMESPACE],
    ["spark.openlineage.transport.type", "http"],
    ["spark.openlineage.transport.url", sink.url],
    ["spark.openlineage.transport.endpoint", sink.endpoint],
    ["spark.openlineage.transport.timeoutInMillis", "5000"],
    ["spark.openlineage.transport.auth.type", "api_key"],
    ["spark.openlineage.transport.auth.apiKey", sink.apiKey],
  ];
}

/** The JIT's quick tier (C1) only: see spark.driver.extraJavaOptions below. */
const QUICK_JIT = "-XX:TieredStopAtLevel=1";

/**
 * `spark-defaults.conf` of the lab: Delta Lake as the default catalog and S3A pointed at MinIO with
 * Spark's own identity, so `SparkSession.builder.getOrCreate()` in a notebook or flow writes Delta to
 * `s3a://bronze/...` with no further settings. The jars are in the image; nothing is downloaded.
 * @see https://docs.delta.io/latest/quick-start.html#set-up-apache-spark-with-delta-lake
 * @see https://hadoop.apache.org/docs/r3.5.0/hadoop-aws/tools/hadoop-aws/index.html
 */
export function sparkDefaults(i: SparkDefaultsInput): string {
  const properties: [string, string][] = [
    ["spark.master", i.masterUrl],
    // Standalone mode generates no secret: each node and application reads this one (the master
    // and workers load this file as their properties file too).
    ["spark.authenticate", "true"],
    ["spark.authenticate.secret", i.authSecret],
    // Fixed ports where Spark picks random ones, so a NetworkPolicy can name them: executors and
    // the master call a driver back on these, and executors fetch blocks from each other. A second
    // session in the same pod (two notebooks) takes the next port, up to portRetries.
    ["spark.driver.port", String(i.ports.driver)],
    ["spark.driver.blockManager.port", String(i.ports.driverBlockManager)],
    ["spark.blockManager.port", String(i.ports.blockManager)],
    ["spark.port.maxRetries", String(i.portRetries)],
    ["spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension"],
    ["spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog"],
    // The catalog: tables by name (`silver.sales`) in a Hive metastore that each driver's own
    // Hive client keeps in PostgreSQL (hive-site.xml, mounted on the drivers only), so every
    // notebook, flow and SQL session sees the same tables, across restarts. Tables created with no
    // database go to the `default` database, in the lake, not a driver's working directory.
    ["spark.sql.catalogImplementation", "hive"],
    ["spark.sql.warehouse.dir", i.warehouse],
    // Delta wherever no format is named: `CREATE TABLE t (…)` without USING (over the SQL
    // endpoint too), `df.write.save(path)`, `spark.read.load(path)`. Spark's default is parquet,
    // a table with no history, MERGE or time travel in a lab about them.
    ["spark.sql.sources.default", "delta"],
    ["spark.hadoop.fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem"],
    ["spark.hadoop.fs.s3a.endpoint", i.s3Endpoint],
    ["spark.hadoop.fs.s3a.path.style.access", "true"],
    ["spark.hadoop.fs.s3a.connection.ssl.enabled", String(i.s3Endpoint.startsWith("https://"))],
    [
      "spark.hadoop.fs.s3a.aws.credentials.provider",
      "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    ],
    ["spark.hadoop.fs.s3a.access.key", i.accessKey],
    ["spark.hadoop.fs.s3a.secret.key", i.secretKey],
    // The image's user has no home; Ivy would otherwise fail on /nonexistent/.ivy2.
    ["spark.jars.ivy", "/tmp/.ivy2"],
    // Fits the notebook container's memory next to JupyterLab and the kernel.
    ["spark.driver.memory", "512m"],
    ["spark.executor.memory", i.executorMemory],
    ["spark.executor.cores", String(i.executorCores)],
    // Standalone mode gives the first application every core; one executor's worth each lets a
    // notebook and a flow run side by side (override per session with spark.cores.max).
    ["spark.cores.max", String(i.executorCores)],
    // A notebook's kernel keeps its SparkSession until it is shut down, and with it its executor:
    // two notebooks left open would hold both default workers, and a flow run would wait for a
    // core forever. Dynamically allocated, an executor idle for a minute is given back (its
    // shuffle files and cached blocks too: recomputed if needed), and the session asks for one
    // again at its next job. Shuffle tracking stands in for the external shuffle service.
    ["spark.dynamicAllocation.enabled", "true"],
    ["spark.dynamicAllocation.shuffleTracking.enabled", "true"],
    ["spark.dynamicAllocation.initialExecutors", "1"],
    ["spark.dynamicAllocation.executorIdleTimeout", IDLE_EXECUTOR],
    ["spark.dynamicAllocation.cachedExecutorIdleTimeout", IDLE_EXECUTOR],
    ["spark.dynamicAllocation.shuffleTracking.timeout", IDLE_EXECUTOR],
    // Delta rebuilds a table's state from its log in 50 partitions by default: 50 tasks (each a
    // round trip to MinIO) per table read or commit, on an application that has executorCores
    // cores. The lab's tables are small, so one partition per core. Measured on the lab's medallion
    // steps with one core: 130 s with the default, 81 s with 2 (DeltaSQLConf.DELTA_SNAPSHOT_PARTITIONS).
    ["spark.databricks.delta.snapshotPartitions", String(i.executorCores)],
    // VACUUM lists a table's files in as many tasks as this (Spark's default 10000, sized for
    // tables of millions of partitions): one per core instead. Measured on a 9-file table in local
    // mode with 2 cores: VACUUM … DRY RUN 59 s with the default, 4.3 s with 2.
    ["spark.sql.sources.parallelPartitionDiscovery.parallelism", String(i.executorCores)],
    // The lab's drivers (a notebook's kernel, a flow run) and executors live for one session
    // and handle sample-sized data: the JIT's optimising tier (C2) costs more CPU than it ever saves
    // there, and in a 1-core container it competes with the task itself. Measured on the shipped
    // notebooks (the real-services suite): JVM CPU about halved, notebooks 20-25 % faster. A
    // long, heavy job takes C2 back per session: spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=4.
    ["spark.driver.extraJavaOptions", QUICK_JIT],
    ["spark.executor.extraJavaOptions", QUICK_JIT],
    ...lineage(i.lineage),
  ];
  for (const [key, value] of properties) {
    if (/[\s]/.test(value) || value === "") {
      throw new Error(
        `spark-defaults.conf: ${key} must be a single word, got ${JSON.stringify(value)}`,
      );
    }
  }
  return `# Written by DataFlow Lab (components/compute/sparkDefaults.ts); changes here are overwritten.\n${properties
    .map(([k, v]) => `${k} ${v}`)
    .join("\n")}\n`;
}
