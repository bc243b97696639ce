import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import type { Workload } from "../platform/types";
import type { Service, ServiceAccess, StatefulServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";
import { serviceFile } from "../serviceFiles";

/** Arguments for {@link Kafka}. `memoryMiB` also sizes the broker's heap (half of it). */
export interface KafkaArgs extends StatefulServiceArgs {
  /** `apache/kafka:4.4.0`. */
  readonly image: string;
  /** KRaft cluster id: 16 bytes, base64url without padding (22 chars); see {@link kraftClusterId}. */
  readonly clusterId: string;
  /** Topics created once the broker is up. */
  readonly topics: readonly string[];
}

/**
 * The KRaft cluster id of a stack's broker, the same on every `pulumi up`: a random one would be new
 * after `pulumi destroy`, while the kept log directory still holds the first (the image formats only
 * an empty directory, and the broker goes by its meta.properties), so the container's
 * CLUSTER_ID would no longer say which cluster it runs. Unique per project and stack, which is all
 * one broker needs.
 */
export function kraftClusterId(project: string, stack: string): string {
  return crypto
    .createHash("sha256")
    .update(`dataflow-lab/${project}/${stack}`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

const HEALTH_SCRIPT = "/usr/local/bin/dataflow-lab-ensure-topics";
const SERVICE = "kafka";
/** The listener of the lab's containers. */
const BROKER_PORT = 9092;
const CONTROLLER_PORT = 9093;
/** The listener published to the host (its advertised address is the platform's endpoint). */
const EXTERNAL_PORT = 29092;

/** Apache Kafka's own image (KRaft only from 4.0), the release the real-services suite runs. */
export const KAFKA_IMAGE = "apache/kafka:4.4.0";
/** The broker's listener inside the lab: its service name is its host on both platforms. */
export const KAFKA_BOOTSTRAP_SERVERS = `${SERVICE}:${BROKER_PORT}`;

/**
 * KRaft env of a single combined broker + controller (pure, for tests). The image turns every
 * KAFKA_* variable but the JVM ones into a property (`_` → `.`, `__` → `_`, `___` → `-`) and, once
 * one is given, applies none of its defaults: the whole configuration is here, the log directory too.
 */
export function kafkaEnv(
  external: { host: string; port: number },
  memoryMiB: number,
): Record<string, string> {
  // Half the container for the heap; the rest is page cache, metaspace and the health check's tool JVM.
  const heap = `${Math.floor(memoryMiB / 2)}m`;
  return {
    KAFKA_NODE_ID: "1",
    KAFKA_PROCESS_ROLES: "broker,controller",
    // Itself, by loopback: the voter must be reachable before any Service or DNS name is ready.
    // By address, as the controller listens on IPv4 loopback only (no resolver order matters).
    KAFKA_CONTROLLER_QUORUM_VOTERS: `1@127.0.0.1:${CONTROLLER_PORT}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
    // PLAINTEXT for the lab's containers, EXTERNAL for the host, LOCAL for tools inside this
    // container. CONTROLLER (KRaft's quorum, no authentication) on loopback only: a single
    // combined node is its own and only voter, so nothing outside the container needs it.
    KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${BROKER_PORT},CONTROLLER://127.0.0.1:${CONTROLLER_PORT},EXTERNAL://0.0.0.0:${EXTERNAL_PORT},LOCAL://127.0.0.1:19092`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${SERVICE}:${BROKER_PORT},EXTERNAL://${external.host}:${external.port},LOCAL://127.0.0.1:19092`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
      "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,LOCAL:PLAINTEXT",
    KAFKA_INTER_BROKER_LISTENER_NAME: "PLAINTEXT",
    // A subdirectory: an ext4 volume's lost+found is fatal in a Kafka log dir.
    KAFKA_LOG_DIRS: "/var/lib/kafka/data/logs",
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
    // Share groups' state topic (Kafka 4), on the one broker there is.
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: "1",
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: "1",
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
    KAFKA_HEAP_OPTS: `-Xms${heap} -Xmx${heap}`,
  };
}

/**
 * A single Kafka broker in KRaft mode (no ZooKeeper) on a kept volume. Its health check creates the
 * declared topics, so "healthy" means the lab's topics exist. The image's own start (its CMD,
 * /etc/kafka/docker/run) writes the properties, formats an empty log directory and starts the broker.
 * @see https://kafka.apache.org/44/getting-started/docker/
 * @see https://github.com/apache/kafka/blob/4.4.0/docker/examples/README.md
 */
export class Kafka extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];
  /** e.g. `kafka:9092`. */
  readonly bootstrapServers: string;

  constructor(name: string, args: KafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:streaming:Kafka", name, {}, opts);
    // Plain TCP without authentication, as every listener of the lab's broker.
    const publish = { hostPort: EXTERNAL_PORT, nodePort: 30092, urlKey: "kafka", login: false };
    this.workload = args.platform.deploy(
      {
        service: SERVICE,
        image: args.image,
        env: {
          ...kafkaEnv(args.platform.endpoint(publish), args.memoryMiB),
          CLUSTER_ID: args.clusterId,
          LAB_KAFKA_TOPICS: [...args.topics].sort().join(" "),
        },
        ports: [
          { name: "broker", port: BROKER_PORT },
          { name: "external", port: EXTERNAL_PORT, publish },
        ],
        volumes: [{ name: "data", mountPath: "/var/lib/kafka/data", size: args.storageSize }],
        files: [
          { path: HEALTH_SCRIPT, content: serviceFile("kafka/ensure-topics.sh"), executable: true },
        ],
        health: {
          command: [HEALTH_SCRIPT],
          // By address: the listeners are IPv4, so no resolver order (::1 first) matters. bash's
          // /dev/tcp: the image's Dockerfile installs bash, and no netcat is certain to be there.
          liveness: { command: ["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${BROKER_PORT}`] },
          // Until the topics exist a check runs kafka-topics (a JVM start, twice when it creates).
          timeoutSeconds: 60,
          startPeriodSeconds: 60,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        // The image's appuser (Alpine's `adduser -D`: uid and gid 1000), which owns /opt/kafka
        // and the data directory.
        runAs: { user: 1000, group: 1000 },
        // The image's setup writes server.properties and both log4j2 files into an empty config/
        // (its `configure` refuses to start unless it may); kafka-server-start.sh's -loggc makes
        // logs/ and writes the GC log there (the JVM does not start if it cannot), and the
        // broker's log4j2 file writes server.log and the others beside it.
        // @see https://github.com/apache/kafka/blob/4.2/docker/resources/common-scripts/configure
        // @see https://github.com/apache/kafka/blob/4.2/bin/kafka-server-start.sh
        writablePaths: ["/opt/kafka/config", "/opt/kafka/logs", "/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.bootstrapServers = `${this.workload.host}:${BROKER_PORT}`;
    this.registerOutputs({ bootstrapServers: this.bootstrapServers });
  }
}

/** The broker and its topics: it asks the lab for nothing but a volume. */
export const KAFKA_ACCESS: ServiceAccess = { name: "kafka", toggle: "kafka" };

/** Kafka in the lab: the notebooks' and flows' broker, and Spark's executors read its topics. */
export const KAFKA: ServiceModule = {
  access: KAFKA_ACCESS,
  endpoint: KAFKA_BOOTSTRAP_SERVERS,
  offers: () => ({ kafkaBootstrapServers: KAFKA_BOOTSTRAP_SERVERS }),
  deploy: (lab) =>
    new Kafka(
      `${lab.name}-kafka`,
      {
        ...lab.config.kafka,
        platform: lab.platform,
        image: KAFKA_IMAGE,
        clusterId: kraftClusterId(pulumi.getProject(), pulumi.getStack()),
      },
      lab.child,
    ),
};
