import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import {
  peerAt,
  type BuiltImage,
  type FileSpec,
  type Peer,
  type PortRange,
  type Workload,
  type WorkloadNetwork,
} from "../platform/types";
import { MEDALLION_BUCKETS, SILVER } from "../config";
import type { LineageLink } from "../clientSettings";
import type { Service, ServiceAccess, ServiceArgs } from "../service";
import type { S3Credentials } from "../storage/minio";
import type { DatabaseConnection } from "../storage/postgres";
import { hiveSite } from "./hiveSite";
import { sparkDefaults } from "./sparkDefaults";

/**
 * Arguments for {@link Spark}. `memoryMiB` and `cpus` are the master's; each worker's are
 * `workerMemoryMiB` and `workerCores`.
 */
export interface SparkArgs extends ServiceArgs {
  /** The lab runtime image (Spark + Delta + hadoop-aws jars, the lab's Python packages). */
  readonly image: BuiltImage;
  /** MinIO's S3 API inside the lab, e.g. `http://minio:9000`: S3A's endpoint in spark-defaults.conf. */
  readonly s3Endpoint: string;
  /**
   * Spark's own identity for the lake; its secret key is in spark-defaults.conf, which is therefore
   * mounted as a secret file, by the cluster and by every driver of the lab (`Spark.driverFiles`).
   */
  readonly s3: S3Credentials;
  /**
   * The catalog's database (a Hive metastore schema on the lab's PostgreSQL), which every driver's
   * Hive client connects to: its password is in hive-site.xml, mounted on the drivers only.
   */
  readonly catalog: DatabaseConnection;
  /** Generated secret of Spark's RPC authentication (`spark.authenticate.secret`). */
  readonly authSecret: pulumi.Input<string>;
  /** Worker count: numbered containers on Docker, replicas on Kubernetes; 0 runs the master alone. */
  readonly workers: number;
  /** Cores each worker offers (SPARK_WORKER_CORES), its CPU limit, and each executor's cores. */
  readonly workerCores: number;
  /** SPARK_WORKER_MEMORY, e.g. "512m"; also each executor's heap. */
  readonly workerMemory: string;
  /** Container memory limit of each worker in MiB (above `workerMemory`: the daemon and overhead). */
  readonly workerMemoryMiB: number;
  /** Where every driver sends its OpenLineage events; unset, they send none. */
  readonly lineage?: LineageLink;
  /** What executors' tasks connect to besides the lake: e.g. Kafka for structured streaming. @default [] */
  readonly executorPeers?: readonly Peer[];
}

const SPARK_CONF = "/opt/spark/conf/spark-defaults.conf";
const HIVE_SITE = "/opt/spark/conf/hive-site.xml";
/**
 * The `default` database's location: scratch tables are neither raw input (bronze) nor what the
 * lab publishes (gold).
 */
export const SPARK_WAREHOUSE = `s3a://${SILVER}/warehouse`;
const MASTER = "spark-master";
const WORKERS = "spark-worker";
const RPC_PORT = 7077;
const MASTER_UI_PORT = 8080;
const WORKER_UI_PORT = 8081;
const SPARK_CLASS = "/opt/spark/bin/spark-class";
/** A worker's RPC port (random unless set), which the master calls to launch executors. */
const WORKER_PORT = 7400;
/**
 * Ports past each first one a busy port moves to: one more session in the same pod each (Spark's
 * default is 16; 15 keeps each range within 16 ports).
 */
const PORT_RETRIES = 15;
const range = (port: number): PortRange => ({ port, endPort: port + PORT_RETRIES });
/** A driver's RPC (the master and executors call it back) and its block manager. */
const DRIVER_PORTS = range(7100);
const DRIVER_BLOCK_MANAGER_PORTS = range(7200);
/** An executor's block manager: the driver and other executors fetch blocks from it. */
const EXECUTOR_BLOCK_MANAGER_PORTS = range(7300);

/**
 * The master's URL. A workload's host is its service name on both platforms, so it is known before
 * anything is deployed.
 */
export const SPARK_MASTER_URL = `spark://${MASTER}:${RPC_PORT}`;

/**
 * A Spark standalone cluster: one master (UI 8080, RPC 7077) and N workers, run in the foreground
 * by `spark-class` exactly as apache/spark-docker's own smoke test runs them.
 * @see https://spark.apache.org/docs/3.5.8/spark-standalone.html
 */
export class Spark extends pulumi.ComponentResource implements Service {
  /** The master's workload: the cluster is ready for drivers once it is. */
  readonly master: Workload;
  /** The workers' workload, absent with 0 workers. */
  readonly workers?: Workload;
  readonly workloads: readonly Workload[];
  /** e.g. `spark://spark-master:7077`. */
  readonly masterUrl: string;
  /** spark-defaults.conf, which the cluster's daemons mount. */
  readonly conf: FileSpec;
  /** What a driver (a notebook server, the flow worker) mounts: spark-defaults.conf and hive-site.xml. */
  readonly driverFiles: readonly FileSpec[];
  /**
   * The connections of a pod that runs Spark drivers (a notebook server, the flow worker): to the
   * master and the executors, and back from them on the drivers' fixed ports.
   */
  readonly driver: WorkloadNetwork;

  constructor(name: string, args: SparkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:compute:Spark", name, {}, opts);
    this.masterUrl = SPARK_MASTER_URL;
    const conf = (this.conf = {
      path: SPARK_CONF,
      content: pulumi.secret(
        pulumi
          .all([args.s3.secretKey, args.authSecret, args.lineage?.apiKey])
          .apply(([secretKey, authSecret, lineageKey]) =>
            sparkDefaults({
              masterUrl: this.masterUrl,
              s3Endpoint: args.s3Endpoint,
              accessKey: args.s3.accessKey,
              secretKey,
              authSecret,
              executorMemory: args.workerMemory,
              executorCores: args.workerCores,
              ports: {
                driver: DRIVER_PORTS.port,
                driverBlockManager: DRIVER_BLOCK_MANAGER_PORTS.port,
                blockManager: EXECUTOR_BLOCK_MANAGER_PORTS.port,
              },
              portRetries: PORT_RETRIES,
              warehouse: SPARK_WAREHOUSE,
              lineage: args.lineage && {
                url: args.lineage.url,
                endpoint: args.lineage.endpoint,
                apiKey: lineageKey!,
              },
            }),
          ),
      ),
      secret: true,
    });
    const catalog = args.catalog;
    this.driverFiles = [
      conf,
      {
        path: HIVE_SITE,
        content: pulumi.secret(
          catalog.password.apply((password) => hiveSite({ ...catalog, password })),
        ),
        secret: true,
      },
    ];
    const workers = args.workers > 0;
    const executors = { service: WORKERS, ...EXECUTOR_BLOCK_MANAGER_PORTS };
    this.driver = {
      connects: [
        peerAt(this.masterUrl),
        peerAt(`${catalog.host}:${catalog.port}`),
        ...(args.lineage ? [peerAt(args.lineage.url)] : []),
        ...(workers ? [executors] : []),
      ],
      callers: [
        { service: MASTER, ...DRIVER_PORTS },
        ...(workers
          ? [
              { service: WORKERS, ...DRIVER_PORTS },
              { service: WORKERS, ...DRIVER_BLOCK_MANAGER_PORTS },
            ]
          : []),
      ],
      sessionPorts: [DRIVER_PORTS, DRIVER_BLOCK_MANAGER_PORTS],
    };

    this.master = args.platform.deploy(
      {
        service: MASTER,
        image: args.image,
        command: [
          SPARK_CLASS,
          "org.apache.spark.deploy.master.Master",
          "--port",
          String(RPC_PORT),
          "--webui-port",
          String(MASTER_UI_PORT),
        ],
        env: { SPARK_DAEMON_MEMORY: "192m" },
        ports: [
          { name: "rpc", port: RPC_PORT },
          {
            name: "ui",
            port: MASTER_UI_PORT,
            publish: {
              hostPort: MASTER_UI_PORT,
              nodePort: 30080,
              scheme: "http",
              urlKey: "spark-ui",
              // No login: standalone mode has none, and its UI can kill applications.
              login: false,
            },
          },
        ],
        files: [conf],
        connects: workers ? [{ service: WORKERS, port: WORKER_PORT }] : [],
        health: {
          command: [
            "sh",
            "-c",
            `curl -fsS http://localhost:${MASTER_UI_PORT}/json/ | grep -q ALIVE`,
          ],
          http: { path: "/json/", port: MASTER_UI_PORT },
          // A daemon up within seconds: a start that fails counts sooner. (Workers, notebooks and
          // flows wait for it; the start interval of health.ts polls it until it is up.)
          startPeriodSeconds: 20,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // The JVM's perf data and Spark's scratch (spark.local.dir); logs go to stderr.
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );

    if (args.workers > 0) {
      this.workers = args.platform.deploy(
        {
          service: WORKERS,
          image: args.image,
          command: [
            SPARK_CLASS,
            "org.apache.spark.deploy.worker.Worker",
            "--port",
            String(WORKER_PORT),
            "--webui-port",
            String(WORKER_UI_PORT),
            this.masterUrl,
          ],
          env: {
            SPARK_DAEMON_MEMORY: "256m",
            SPARK_WORKER_CORES: String(args.workerCores),
            SPARK_WORKER_MEMORY: args.workerMemory,
          },
          ports: [{ name: "ui", port: WORKER_UI_PORT }],
          sessionPorts: [{ port: WORKER_PORT }, EXECUTOR_BLOCK_MANAGER_PORTS],
          // Executors read and write the lake, fetch shuffle blocks from each other, and reach
          // what their tasks use; they call their driver back as its `callers` declare.
          connects: [
            peerAt(this.masterUrl),
            peerAt(args.s3Endpoint),
            executors,
            ...(args.executorPeers ?? []),
          ],
          files: [conf],
          health: {
            command: ["curl", "-fsS", `http://localhost:${WORKER_UI_PORT}/json/`],
            http: { path: "/json/", port: WORKER_UI_PORT },
            // As the master's: a daemon up within seconds.
            startPeriodSeconds: 20,
          },
          memoryMiB: args.workerMemoryMiB,
          cpus: args.workerCores,
          replicas: args.workers,
          runAs: LAB_RUNTIME_USER,
          // Executors run in the worker's work directory (SPARK_HOME/work: their jars, files and
          // logs) and spill to /tmp (spark.local.dir).
          // @see https://spark.apache.org/docs/4.0.1/spark-standalone.html#cluster-launch-scripts
          writablePaths: ["/opt/spark/work", "/tmp"],
          startAfter: this.master.ready,
        },
        this,
      );
    }
    this.workloads = this.workers ? [this.master, this.workers] : [this.master];
    this.registerOutputs({ masterUrl: this.masterUrl });
  }
}

/**
 * The lab's data engineering identity (Spark jobs, notebooks, flows): read-write on the medallion
 * layers and every bucket `minio.buckets` adds; the catalog's database; and the secret of Spark's
 * RPC authentication.
 */
export const SPARK_ACCESS: ServiceAccess = {
  name: "spark",
  // The catalog's tables: Spark's Hive client checks their version, it does not create them.
  database: { schemaFile: "postgres/hive-metastore-schema.sql" },
  identity: { readWrite: (c) => [...MEDALLION_BUCKETS, ...c.minio.buckets] },
  passwords: ["spark-auth"],
};
