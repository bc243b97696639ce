import * as pulumi from "@pulumi/pulumi";
import { peerAt, type Workload } from "../platform/types";
import { BRONZE } from "../config";
import {
  ADMIN,
  login,
  type Service,
  type ServiceAccess,
  type StatefulServiceArgs,
} from "../service";
import type { ServiceModule } from "../serviceModule";
import { serviceFile } from "../serviceFiles";
import type { S3Credentials } from "../storage/minio";

/** Where the lab's flow definition lands in MinIO, and as whom. */
export interface NifiLanding {
  /** MinIO's S3 API inside the lab, e.g. `http://minio:9000`. */
  readonly s3Endpoint: string;
  /** The bucket the flow writes to (`bronze`). */
  readonly bucket: string;
  /** NiFi's own identity, which may write only to that bucket. */
  readonly s3: S3Credentials;
}

/**
 * Arguments for {@link Nifi}. `storageSize` is each repository volume's (conf and state get 1Gi);
 * `memoryMiB` also sizes the heap (half of it).
 */
export interface NifiArgs extends StatefulServiceArgs {
  /** `apache/nifi:2.11.0` (HTTPS only in 2.x). */
  readonly image: string;
  /** Single-user login: the name must have ≥ 4 characters, the password ≥ 12, or NiFi invents its own. */
  readonly username: string;
  /** The single user's generated password. */
  readonly password: pulumi.Input<string>;
  /**
   * Where the lab's flow definition (services/nifi/lab-flow.json) writes; NiFi imports it at start.
   * Its S3 keys become sensitive parameters, never part of the flow definition.
   */
  readonly landing: NifiLanding;
}

/** The newest release (HTTPS only in 2.x). */
export const NIFI_IMAGE = "apache/nifi:2.11.0";

const HOME = "/opt/nifi/nifi-current";
const SERVICE = "nifi";
/** NiFi's repositories, each on a kept volume of `nifi.storageSize`: they grow with the data. */
const REPOSITORIES = [
  "content_repository",
  "database_repository",
  "flowfile_repository",
  "provenance_repository",
] as const;
/** conf (the flow, nifi.properties, the keystore) and state stay small. */
const SMALL = ["conf", "state"] as const;
const SMALL_SIZE = "1Gi";
const PORT = 8443;
/** The lab's files in NiFi's container (outside the kept volumes). */
const LAB_DIR = "/opt/dataflow-lab/nifi";
const START = `${LAB_DIR}/start.sh`;
const IMPORT = `${LAB_DIR}/import-flow.py`;
const FLOW = `${LAB_DIR}/lab-flow.json`;
/** Written by import-flow.py once the flow is in NiFi; the health check waits for it. */
const IMPORTED_MARKER = "/tmp/dataflow-lab-flow-imported";

/**
 * Host names (with port) NiFi accepts in requests, and puts into its certificate on first start
 * (DNS names only, so an IP address never works): the published address, localhost, and the
 * service name inside the lab, so `https://nifi:8443` passes the certificate's name check there too
 * (the pod's own host name on Kubernetes is `nifi-0`, which would not).
 */
export function proxyHosts(external: { host: string; port: number }, service: string): string {
  return [
    ...new Set([
      `${external.host}:${external.port}`,
      `localhost:${external.port}`,
      `${service}:${PORT}`,
    ]),
  ].join(",");
}

/**
 * Apache NiFi 2 on HTTPS 8443 with generated single-user credentials and its repositories on kept
 * volumes. NiFi 2 has no templates: the lab's flow (services/nifi/lab-flow.json, a flow definition)
 * is uploaded through NiFi's REST API at start (services/nifi/import-flow.py), once, with its S3
 * keys set as sensitive parameters.
 * @see https://github.com/apache/nifi/blob/rel/nifi-2.11.0/nifi-docker/dockerhub/README.md
 */
export class Nifi extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: NifiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:ingestion:Nifi", name, {}, opts);
    if (args.username.length < 4) {
      throw new pulumi.ResourceError("NiFi needs a user name of at least 4 characters", this);
    }
    const publish = {
      hostPort: PORT,
      nodePort: 30443,
      scheme: "https" as const,
      urlKey: "nifi",
      path: "/nifi",
      // Single-user login.
      login: true,
    };
    // Heap: half the container, the rest for direct memory, metaspace and the OS.
    const heap = `${Math.floor(args.memoryMiB / 2)}m`;
    // An unauthenticated endpoint; by host name, since NiFi checks SNI against its certificate.
    const alive = [
      "curl",
      "-fsk",
      `https://localhost:${PORT}/nifi-api/authentication/configuration`,
    ];
    this.workload = args.platform.deploy(
      {
        service: SERVICE,
        image: args.image,
        // The image's start script, with the lab's flow imported beside it (services/nifi/start.sh).
        entrypoint: ["/bin/bash", START],
        env: {
          LAB_NIFI_FLOW: FLOW,
          LAB_NIFI_IMPORT: IMPORT,
          LAB_NIFI_IMPORTED_MARKER: IMPORTED_MARKER,
          LAB_NIFI_S3_ACCESS_KEY: args.landing.s3.accessKey,
          LAB_NIFI_S3_BUCKET: args.landing.bucket,
          LAB_NIFI_S3_ENDPOINT: args.landing.s3Endpoint,
          // All interfaces, so the health check can use localhost (a name in the certificate).
          NIFI_WEB_HTTPS_HOST: "0.0.0.0",
          NIFI_WEB_HTTPS_PORT: String(PORT),
          NIFI_WEB_PROXY_HOST: proxyHosts(args.platform.endpoint(publish), SERVICE),
          NIFI_JVM_HEAP_INIT: heap,
          NIFI_JVM_HEAP_MAX: heap,
          SINGLE_USER_CREDENTIALS_USERNAME: args.username,
        },
        // No NIFI_SENSITIVE_PROPS_KEY: NiFi generates the key that encrypts flow.json.gz on its
        // first start and writes it into conf/nifi.properties, on the kept conf volume; the image
        // replaces it only when the variable is set (start.sh, rel/nifi-2.11.0). A key from Pulumi
        // would be new after `pulumi destroy` + `up` and lock NiFi out of its own flow.
        secretEnv: {
          LAB_NIFI_S3_SECRET_KEY: args.landing.s3.secretKey,
          SINGLE_USER_CREDENTIALS_PASSWORD: args.password,
        },
        ports: [{ name: "https", port: PORT, publish }],
        connects: [peerAt(args.landing.s3Endpoint)],
        volumes: [...SMALL, ...REPOSITORIES].sort().map((v) => ({
          name: v.replace(/_/g, "-"),
          mountPath: `${HOME}/${v}`,
          size: (SMALL as readonly string[]).includes(v) ? SMALL_SIZE : args.storageSize,
          // conf must start with the image's files (nifi.properties, …), never empty.
          seedFromImage: v === "conf",
        })),
        files: [
          { path: START, content: serviceFile("nifi/start.sh"), executable: true },
          { path: IMPORT, content: serviceFile("nifi/import-flow.py") },
          { path: FLOW, content: serviceFile("nifi/lab-flow.json") },
        ],
        health: {
          // Ready once the lab's flow is imported and the API answers; alive while the API answers.
          command: ["sh", "-c", `test -f ${IMPORTED_MARKER} && "$@"`, "sh", ...alive],
          liveness: { command: alive },
          // Start-up takes minutes (CPU-bound, see nifi.cpus) and the flow import follows it; the
          // HTTPS API answers slowly meanwhile, so checks are fewer and may take longer.
          intervalSeconds: 15,
          timeoutSeconds: 10,
          startPeriodSeconds: 180,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        // The image's nifi user (uid/gid 1000).
        runAs: { user: 1000, group: 1000 },
        writableRoot:
          "NiFi's start.sh edits conf/ in place (sed -i on nifi.properties), and NiFi writes " +
          "logs/, run/ and work/ under its home beside the kept repositories; no build of NiFi " +
          "runs here to trace the rest.",
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** The bucket NiFi's flow lands files in, the only one its identity may write. */
export const NIFI_LANDING_BUCKET = BRONZE;

/** An identity that may write the landing bucket only, and the single user's login. */
export const NIFI_ACCESS: ServiceAccess = {
  name: "nifi",
  toggle: "nifi",
  identity: { readWrite: () => [NIFI_LANDING_BUCKET] },
  passwords: ["nifi-admin"],
  credentials: (p) => ({ nifi: login(p, "nifi-admin") }),
};

/** NiFi in the lab: its flow lands generated data in bronze, as its own identity. */
export const NIFI: ServiceModule = {
  access: NIFI_ACCESS,
  deploy: (lab) =>
    new Nifi(
      `${lab.name}-nifi`,
      {
        ...lab.config.nifi,
        platform: lab.platform,
        image: NIFI_IMAGE,
        username: ADMIN,
        password: lab.passwords["nifi-admin"],
        landing: {
          s3Endpoint: lab.minio.endpoint,
          bucket: NIFI_LANDING_BUCKET,
          s3: lab.minio.credentials("nifi"),
        },
      },
      lab.child,
    ),
};
