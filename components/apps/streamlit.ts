import * as pulumi from "@pulumi/pulumi";
import type { ClientEnv } from "../clientSettings";
import { LAB_CONTENT, LAB_RUNTIME_USER } from "../images";
import { pythonHttpCheck, type BuiltImage, type Platform, type Workload } from "../platform/types";

/** Arguments for {@link Streamlit}. */
export interface StreamlitArgs {
  readonly platform: Platform;
  /** The lab runtime image: Streamlit 1.45.0, delta-rs and the dashboard (lab/dashboard). */
  readonly image: BuiltImage;
  /** Client settings with Streamlit's read-only identity. */
  readonly client: ClientEnv;
  /** Service → internal health URL the dashboard polls. */
  readonly healthUrls: Record<string, string>;
  /** Bucket whose Delta tables the dashboard shows. */
  readonly goldBucket: string;
  readonly memoryMiB: number;
  /** CPU limit in cores. */
  readonly cpus: number;
  readonly dependsOn: pulumi.Resource[];
}

/**
 * The lab's dashboard: the status of every service and the Delta tables of the gold bucket, read
 * with delta-rs through Streamlit's read-only MinIO identity.
 * @see https://docs.streamlit.io/deploy/tutorials/docker
 */
export class Streamlit extends pulumi.ComponentResource {
  readonly workload: Workload;

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
          LAB_HEALTH_URLS: JSON.stringify(
            Object.fromEntries(
              Object.entries(args.healthUrls).sort(([a], [b]) => a.localeCompare(b)),
            ),
          ),
          STREAMLIT_BROWSER_GATHER_USAGE_STATS: "false",
          STREAMLIT_SERVER_ADDRESS: "0.0.0.0",
          STREAMLIT_SERVER_HEADLESS: "true",
          STREAMLIT_SERVER_PORT: "8501",
        },
        secretEnv: args.client.secretEnv,
        ports: [
          {
            name: "http",
            port: 8501,
            publish: { hostPort: 8501, nodePort: 30851, scheme: "http", urlKey: "streamlit" },
          },
        ],
        health: {
          command: pythonHttpCheck("http://localhost:8501/_stcore/health"),
          http: { path: "/_stcore/health", port: 8501 },
          // One Python process that answers within seconds: a failed start shows sooner.
          startPeriodSeconds: 20,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: LAB_RUNTIME_USER,
        dependsOn: args.dependsOn,
      },
      this,
    );
    this.registerOutputs({});
  }
}
