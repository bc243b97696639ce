import * as pulumi from "@pulumi/pulumi";
import { peerAt, type Workload } from "../platform/types";
import { ADMIN, login, type Service, type ServiceAccess, type ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";
import { KAFKA_BOOTSTRAP_SERVERS } from "./kafka";

/** Arguments for {@link KafkaUi}. `startAfter` holds the broker. */
export interface KafkaUiArgs extends ServiceArgs {
  /** `ghcr.io/kafbat/kafka-ui:v1.5.0` (provectus/kafka-ui is unmaintained). */
  readonly image: string;
  /** Internal listener, e.g. `kafka:9092`. */
  readonly bootstrapServers: string;
  /** The UI's single login (the lab's shared admin name). */
  readonly username: string;
  /** Its generated password. */
  readonly password: pulumi.Input<string>;
}

const PORT = 8090;

/** kafbat's maintained fork of provectus/kafka-ui. */
export const KAFKA_UI_IMAGE = "ghcr.io/kafbat/kafka-ui:v1.5.0";

/**
 * kafbat's Kafka UI on port 8090, behind a login form.
 * @see https://ui.docs.kafbat.io/configuration/authentication/basic-authentication
 */
export class KafkaUi extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: KafkaUiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:streaming:KafkaUi", name, {}, opts);
    this.workload = args.platform.deploy(
      {
        service: "kafka-ui",
        image: args.image,
        env: {
          AUTH_TYPE: "LOGIN_FORM",
          // The JVM's default heap (a quarter of the limit) is too small for the UI.
          JAVA_OPTS: "-XX:MaxRAMPercentage=60.0",
          KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS: args.bootstrapServers,
          KAFKA_CLUSTERS_0_NAME: "dataflow-lab",
          SERVER_PORT: String(PORT),
          SPRING_SECURITY_USER_NAME: args.username,
        },
        secretEnv: { SPRING_SECURITY_USER_PASSWORD: args.password },
        connects: [peerAt(args.bootstrapServers)],
        ports: [
          {
            name: "http",
            port: PORT,
            // LOGIN_FORM.
            publish: {
              hostPort: PORT,
              nodePort: 30090,
              scheme: "http",
              urlKey: "kafka-ui",
              login: true,
            },
          },
        ],
        health: {
          // /actuator/health is open under LOGIN_FORM; the alpine image has busybox wget, no curl.
          command: ["wget", "-q", "--spider", `http://127.0.0.1:${PORT}/actuator/health`],
          http: { path: "/actuator/health", port: PORT },
          // A Spring Boot application on a JVM, slower to answer than the default start period.
          startPeriodSeconds: 45,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        // The image's user `kafkaui` has no fixed uid (`adduser -S`), so runAsNonRoot needs a number:
        // kafbat's own chart runs it as 1000:2000, read-only. It writes only the JVM's temp files.
        // @see https://github.com/kafbat/kafka-ui/blob/main/api/Dockerfile
        // @see https://github.com/kafbat/helm-charts/blob/main/charts/kafka-ui/values.yaml
        runAs: { user: 1000, group: 2000 },
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** The UI's login. */
export const KAFKA_UI_ACCESS: ServiceAccess = {
  name: "kafka-ui",
  toggle: "kafkaUi",
  passwords: ["kafka-ui-admin"],
  credentials: (p) => ({ kafkaUi: login(p, "kafka-ui-admin") }),
};

/** The UI of the lab's broker. */
export const KAFKA_UI: ServiceModule = {
  access: KAFKA_UI_ACCESS,
  deploy: (lab) => {
    const broker = lab.service("kafka", "kafkaUi");
    return new KafkaUi(
      `${lab.name}-kafka-ui`,
      {
        ...lab.config.kafkaUi,
        platform: lab.platform,
        image: KAFKA_UI_IMAGE,
        bootstrapServers: KAFKA_BOOTSTRAP_SERVERS,
        username: ADMIN,
        password: lab.passwords["kafka-ui-admin"],
        startAfter: broker.workloads.flatMap((w) => w.ready),
      },
      lab.child,
    );
  },
};
