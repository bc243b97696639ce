import * as pulumi from "@pulumi/pulumi";
import type { ClientEnv, LineageLink } from "../clientSettings";
import { LAB_CONTENT, LAB_RUNTIME_USER } from "../images";
import {
  joinNetwork,
  peerAt,
  pythonHttpCheck,
  type BuiltImage,
  type Workload,
} from "../platform/types";
import { GOLD } from "../config";
import { healthUrlsOf } from "../labOutputs";
import type { Service, ServiceAccess, ServiceArgs } from "../service";
import type { ServiceModule } from "../serviceModule";

/** Arguments for {@link Streamlit}. `startAfter` holds the lake. */
export interface StreamlitArgs extends ServiceArgs {
  /** The lab runtime image: Streamlit 1.45.0, delta-rs and the dashboard (lab/dashboard). */
  readonly image: BuiltImage;
  /** Client settings with Streamlit's read-only identity. */
  readonly client: ClientEnv;
  /** Service → internal health URL the dashboard polls. */
  readonly healthUrls: Record<string, string>;
  /** Bucket whose Delta tables the dashboard shows. */
  readonly goldBucket: string;
  /** The lineage service whose graph it draws; unset, it draws none. */
  readonly lineage?: LineageLink;
}

const PORT = 8501;

/**
 * The lab's dashboard: the status of every service, the Delta tables of the gold bucket, read
 * with delta-rs through Streamlit's read-only MinIO identity, and the lake's lineage graph.
 * @see https://docs.streamlit.io/deploy/tutorials/docker
 */
export class Streamlit extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];

  constructor(name: string, args: StreamlitArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:apps:Streamlit", name, {}, opts);
    this.workload = args.platform.deploy(
      {
        service: "streamlit",
        image: args.image,
        command: ["streamlit", "run", `${LAB_CONTENT}/dashboard/app.py`],
        env: {
          ...args.client.env,
          LAB_GOLD_BUCKET: args.goldBucket,
          ...(args.lineage ? { LAB_LINEAGE_URL: args.lineage.url } : {}),
          LAB_HEALTH_URLS: JSON.stringify(
            Object.fromEntries(
              Object.entries(args.healthUrls).sort(([a], [b]) => a.localeCompare(b)),
            ),
          ),
          STREAMLIT_BROWSER_GATHER_USAGE_STATS: "false",
          STREAMLIT_SERVER_ADDRESS: "0.0.0.0",
          STREAMLIT_SERVER_HEADLESS: "true",
          STREAMLIT_SERVER_PORT: String(PORT),
        },
        secretEnv: {
          ...args.client.secretEnv,
          ...(args.lineage ? { LAB_LINEAGE_API_KEY: args.lineage.apiKey } : {}),
        },
        // The lake, every health URL it polls, and the lineage graph.
        ...joinNetwork(args.client.network, {
          connects: [
            ...Object.values(args.healthUrls),
            ...(args.lineage ? [args.lineage.url] : []),
          ].map(peerAt),
        }),
        ports: [
          {
            name: "http",
            port: PORT,
            // No login: it shows service status, gold's tables and their lineage, read-only.
            publish: {
              hostPort: PORT,
              nodePort: 30851,
              scheme: "http",
              urlKey: "streamlit",
              login: false,
            },
          },
        ],
        health: {
          command: pythonHttpCheck(`http://localhost:${PORT}/_stcore/health`),
          http: { path: "/_stcore/health", port: PORT },
          // One Python process that answers within seconds: a failed start shows sooner.
          startPeriodSeconds: 20,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        // Python's temporary files only (the app reads gold through S3, without Spark).
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.registerOutputs({});
  }
}

/** An identity that may read gold and nothing else: the dashboard only shows it. */
export const STREAMLIT_ACCESS: ServiceAccess = {
  name: "streamlit",
  toggle: "streamlit",
  identity: { readWrite: () => [], readOnly: [GOLD] },
};

/** The dashboard: it reports on every service deployed before it, so the lab deploys it last. */
export const STREAMLIT: ServiceModule = {
  access: STREAMLIT_ACCESS,
  deploy: (lab) =>
    new Streamlit(
      `${lab.name}-streamlit`,
      {
        ...lab.config.streamlit,
        platform: lab.platform,
        image: lab.runtime,
        // The dashboard reads gold and polls health URLs: the lake is all it uses.
        client: lab.client("streamlit", []),
        healthUrls: healthUrlsOf(lab.deployed.flatMap((s) => s.workloads)),
        goldBucket: GOLD,
        lineage: lab.settings.lineage,
        startAfter: lab.lake,
      },
      lab.child,
    ),
};
