import * as pulumi from "@pulumi/pulumi";
import { LAB_RUNTIME_USER } from "../images";
import type { BuiltImage, FileSpec, Platform, Workload } from "../platform/types";

/** Arguments for {@link Spark}. */
export interface SparkArgs {
  readonly platform: Platform;
  /** The lab runtime image (Spark + Delta + hadoop-aws jars, the lab's Python packages). */
  readonly image: BuiltImage;
  /**
   * `spark-defaults.conf` for a master URL (it holds Spark's S3 secret key, so it is mounted as a
   * secret file); every driver of the lab mounts the same file, `Spark.conf`.
   */
  readonly sparkDefaults: (masterUrl: string) => pulumi.Input<string>;
  /** Worker count: numbered containers on Docker, replicas on Kubernetes; 0 runs the master alone. */
  readonly workers: number;
  readonly workerCores: number;
  /** SPARK_WORKER_MEMORY, e.g. "512m". */
  readonly workerMemory: string;
  readonly workerMemoryMiB: number;
  readonly masterMemoryMiB: number;
  /** CPU limit of the master (each worker's is `workerCores`). */
  readonly masterCpus: number;
  /** What must be ready before the cluster starts (MinIO). */
  readonly dependsOn?: pulumi.Resource[];
}

const SPARK_CONF = "/opt/spark/conf/spark-defaults.conf";
const MASTER = "spark-master";
const SPARK_CLASS = "/opt/spark/bin/spark-class";

/**
 * A Spark standalone cluster: one master (UI 8080, RPC 7077) and N workers, run in the foreground
 * by `spark-class` exactly as apache/spark-docker's own smoke test runs them.
 * @see https://spark.apache.org/docs/3.5.8/spark-standalone.html
 */
export class Spark extends pulumi.ComponentResource {
  readonly master: Workload;
  readonly workers?: Workload;
  /** e.g. `spark://spark-master:7077`. */
  readonly masterUrl: string;
  /** spark-defaults.conf, for the drivers (notebooks, flows) to mount too. */
  readonly conf: FileSpec;

  constructor(name: string, args: SparkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:compute:Spark", name, {}, opts);
    // A workload's host is its service name on both platforms, so the URL is known before it exists.
    this.masterUrl = `spark://${MASTER}:7077`;
    const conf = (this.conf = {
      path: SPARK_CONF,
      content: args.sparkDefaults(this.masterUrl),
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
          "7077",
          "--webui-port",
          "8080",
        ],
        env: { SPARK_DAEMON_MEMORY: "192m" },
        ports: [
          { name: "rpc", port: 7077 },
          {
            name: "ui",
            port: 8080,
            publish: { hostPort: 8080, nodePort: 30080, scheme: "http", urlKey: "spark-ui" },
          },
        ],
        files: [conf],
        health: {
          command: ["sh", "-c", "curl -fsS http://localhost:8080/json/ | grep -q ALIVE"],
          http: { path: "/json/", port: 8080 },
          // Workers, notebooks and flows wait for the master, a daemon up within seconds: poll often.
          intervalSeconds: 5,
          startPeriodSeconds: 20,
        },
        memoryMiB: args.masterMemoryMiB,
        cpus: args.masterCpus,
        runAs: LAB_RUNTIME_USER,
        dependsOn: args.dependsOn,
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
            "8081",
            this.masterUrl,
          ],
          env: {
            SPARK_DAEMON_MEMORY: "256m",
            SPARK_WORKER_CORES: String(args.workerCores),
            SPARK_WORKER_MEMORY: args.workerMemory,
          },
          ports: [{ name: "ui", port: 8081 }],
          files: [conf],
          health: {
            command: ["curl", "-fsS", "http://localhost:8081/json/"],
            http: { path: "/json/", port: 8081 },
            // As the master's: a daemon up within seconds, which the lab's readiness waits for.
            intervalSeconds: 5,
            startPeriodSeconds: 20,
          },
          memoryMiB: args.workerMemoryMiB,
          cpus: args.workerCores,
          replicas: args.workers,
          runAs: LAB_RUNTIME_USER,
          dependsOn: this.master.ready,
        },
        this,
      );
    }
    this.registerOutputs({ masterUrl: this.masterUrl });
  }
}
