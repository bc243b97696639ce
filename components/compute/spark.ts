import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import type { BuiltImage, FileSpec, Workload } from "../platform/types";
import type { Service, ServiceArgs } from "../service";
import type { S3Credentials } from "../storage/minio";
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
   * mounted as a secret file, by the cluster and by every driver of the lab (`Spark.conf`).
   */
  readonly s3: S3Credentials;
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
}

const SPARK_CONF = "/opt/spark/conf/spark-defaults.conf";
const MASTER = "spark-master";
const RPC_PORT = 7077;
const MASTER_UI_PORT = 8080;
const WORKER_UI_PORT = 8081;
const SPARK_CLASS = "/opt/spark/bin/spark-class";

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
  /** spark-defaults.conf, for the drivers (notebooks, flows) to mount too. */
  readonly conf: FileSpec;

  constructor(name: string, args: SparkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:compute:Spark", name, {}, opts);
    this.masterUrl = SPARK_MASTER_URL;
    const conf = (this.conf = {
      path: SPARK_CONF,
      content: pulumi.secret(
        pulumi.all([args.s3.secretKey, args.authSecret]).apply(([secretKey, authSecret]) =>
          sparkDefaults({
            masterUrl: this.masterUrl,
            s3Endpoint: args.s3Endpoint,
            accessKey: args.s3.accessKey,
            secretKey,
            authSecret,
            executorMemory: args.workerMemory,
            executorCores: args.workerCores,
          }),
        ),
      ),
      secret: true,
    });

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
            },
          },
        ],
        files: [conf],
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
        startAfter: args.startAfter,
      },
      this,
    );

    if (args.workers > 0) {
      this.workers = args.platform.deploy(
        {
          service: "spark-worker",
          image: args.image,
          command: [
            SPARK_CLASS,
            "org.apache.spark.deploy.worker.Worker",
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
          startAfter: this.master.ready,
        },
        this,
      );
    }
    this.workloads = this.workers ? [this.master, this.workers] : [this.master];
    this.registerOutputs({ masterUrl: this.masterUrl });
  }
}
