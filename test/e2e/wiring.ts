/**
 * The lab as the program wires it: the dev stack evaluated under the mock runtime (the same harness
 * as the graph suite), with real random credentials, read back from what it registers. Each
 * container's image, command, environment, uploaded files, health check, ports, volumes and
 * dependencies, and MinIO's buckets, users and policies, come from the registered inputs; nothing
 * about a service's configuration is written again here.
 */
import * as crypto from "crypto";
import type { LakeBucketInputs } from "../../components/storage/lakeBucket";
import { runProgram, unsecret, type ProgramRun } from "../harness";
import type { PolicySpec } from "./networkPolicy";

export interface ContainerWiring {
  /** The container's host name (`spark-worker-1`), also its network namespace's name suffix. */
  readonly name: string;
  /** Every name other containers reach it by (the service name and its own). */
  readonly aliases: string[];
  /** The image it runs: `lab-runtime` (built here) or an upstream service (`minio`, …). */
  readonly image: string;
  /** The upstream reference of a pulled image, e.g. `postgres:16.9-bookworm`. */
  readonly imageRef?: string;
  readonly entrypoint?: string[];
  readonly command?: string[];
  readonly env: Record<string, string>;
  readonly files: { path: string; content: string; mode: string }[];
  readonly health: {
    test: string[];
    intervalS: number;
    startIntervalS: number;
    timeoutS: number;
    startPeriodS: number;
  };
  /** Seconds between its stop signal and SIGKILL when replaced or destroyed (`destroyGraceSeconds`). */
  readonly stopGraceS: number;
  /** Its own stop signal (`stopSignal`); unset, the image's STOPSIGNAL. */
  readonly stopSignal?: NodeJS.Signals;
  /** How long `pulumi up` waits for it to become healthy (`waitTimeout`). */
  readonly waitTimeoutS: number;
  /** Published ports: host port → container port. */
  readonly ports: { host: number; container: number }[];
  readonly volumes: { volume: string; path: string }[];
  readonly memoryMiB: number;
  /** Its CPU limit in cores (Docker's `cpus`). */
  readonly cpus: number;
  readonly root: boolean;
  /** The uid and gid it runs as, where the program names them (else the image's USER). */
  readonly user?: [number, number];
  /** Supplementary groups Docker adds to its user (`groupAdds`), as numbers. */
  readonly groups: number[];
  /** Containers that must be healthy first (from the registration's dependencies). */
  readonly after: string[];
  /**
   * On the k8s stack its root filesystem is read-only but for these paths (its emptyDirs): the
   * suite runs it so. Unset: the k8s stack leaves its root filesystem writable.
   */
  readonly writable?: string[];
  /** Lake resources (buckets, users, policies) it waits for. */
  readonly needsLake: boolean;
}

export interface LakeWiring {
  /** The address `pulumi up` reaches MinIO at, and its root credentials. */
  readonly server: string;
  readonly rootUser: string;
  readonly rootPassword: string;
  /** Each bucket's inputs as its LakeBucket registers them, and whether destroy leaves it be. */
  readonly buckets: (LakeBucketInputs & { retainOnDelete: boolean })[];
  readonly versioned: string[];
  readonly users: { name: string; secret: string; policy: string }[];
  readonly policies: { name: string; document: string }[];
}

export interface LabWiring {
  readonly containers: ContainerWiring[];
  /**
   * The NetworkPolicies of the k8s stack with the same config: the suite enforces them on the
   * containers (networkPolicy.ts), as a cluster's network plugin would on the pods.
   */
  readonly policies: { readonly stack: string; readonly specs: PolicySpec[] };
  /** Each service's ephemeral-storage limit on the k8s stack (MiB), which the suite measures against. */
  readonly scratchMiB: Record<string, number>;
  readonly lake: LakeWiring;
  readonly outputs: ProgramRun["outputs"];
  readonly credentials: any;
  /** Every generated secret, by its resource's name: what the Pulumi state holds. */
  readonly secrets: Record<string, string>;
}

/**
 * The state a later `pulumi up` starts from: the secrets of the resources that exist, each kept
 * unless it is replaced (`pulumi up --replace`). Without it every secret is new, as after destroy.
 */
export interface KeptState {
  readonly secrets: Record<string, string>;
  readonly replace?: readonly string[];
}

/** Real credentials of the forms the program asks @pulumi/random for. */
export function randomSecret(_name: string, inputs: Record<string, any>): string {
  const alphabet =
    "abcdefghijklmnopqrstuvwxyz0123456789" +
    (inputs.upper === false ? "" : "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  const bytes = crypto.randomBytes(inputs.length ?? 32);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

const CONTAINER = "docker:index/container:Container";
const seconds = (d: string) => Number(/^(\d+)s$/.exec(d)?.[1] ?? NaN);

/** Evaluates the dev stack (plus `overrides`) and reads back the lab's wiring. */
export async function labWiring(
  overrides: Record<string, unknown> = {},
  kept?: KeptState,
): Promise<LabWiring> {
  const secrets: Record<string, string> = {};
  const run = await runProgram("dev", overrides, [], (name, inputs) => {
    const old = kept?.secrets[name];
    secrets[name] =
      old !== undefined && !kept?.replace?.includes(name) ? old : randomSecret(name, inputs);
    return secrets[name];
  });
  const regs = run.registrations;
  const byUrn = (urn: string) => regs.find((r) => urn.endsWith(`${r.type}::${r.name}`));
  // A container names a pulled image by its id, and the lab's own (docker-build) by its tag.
  const images = new Map<string, { name: string; ref?: string }>([
    ...regs
      .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
      .map((r) => [`sha256:${r.name}`, { name: r.name, ref: r.inputs.name }] as const),
    ...regs
      .filter((r) => r.type === "docker-build:index:Image")
      .map((r) => [r.inputs.tags[0], { name: r.name }] as const),
  ]);

  const wiring: ContainerWiring[] = regs
    .filter((r) => r.type === CONTAINER)
    .map((r) => {
      const c = unsecret(r.inputs);
      const image = images.get(c.image)!;
      const deps = r.dependencies.map(byUrn);
      return {
        name: c.hostname,
        aliases: c.networksAdvanced[0].aliases,
        image: image.name,
        imageRef: image.ref,
        entrypoint: c.entrypoints,
        command: c.command,
        env: Object.fromEntries(
          (c.envs as string[]).map((e) => [
            e.slice(0, e.indexOf("=")),
            e.slice(e.indexOf("=") + 1),
          ]),
        ),
        files: (c.uploads ?? []).map((u: any) => ({
          path: u.file,
          content: u.content,
          mode: u.permissions,
        })),
        health: {
          test: c.healthcheck.tests.slice(1),
          intervalS: seconds(c.healthcheck.interval),
          // Without start_interval (docker.healthStartInterval false) the start period polls at
          // the interval, as an engine older than 25 does.
          startIntervalS: seconds(c.healthcheck.startInterval ?? c.healthcheck.interval),
          timeoutS: seconds(c.healthcheck.timeout),
          startPeriodS: seconds(c.healthcheck.startPeriod),
        },
        stopGraceS: c.destroyGraceSeconds,
        stopSignal: c.stopSignal,
        waitTimeoutS: c.waitTimeout,
        ports: (c.ports ?? []).map((p: any) => ({ host: p.external, container: p.internal })),
        volumes: (c.volumes ?? []).map((v: any) => ({
          volume: v.volumeName,
          path: v.containerPath,
        })),
        memoryMiB: c.memory,
        cpus: Number(c.cpus),
        root: c.user === "root",
        ...(/^\d+:\d+$/.test(c.user ?? "")
          ? { user: c.user.split(":").map(Number) as [number, number] }
          : {}),
        groups: ((c.groupAdds ?? []) as string[]).map(Number),
        after: [...new Set(deps.filter((d) => d?.type === CONTAINER).map((d) => d!.name))].sort(),
        needsLake: deps.some((d) => d?.type.startsWith("minio:")),
      };
    });

  const of = (type: string) => regs.filter((r) => r.type === type).map((r) => unsecret(r.inputs));
  const provider = unsecret(regs.find((r) => r.type === "pulumi:providers:minio")!.inputs);
  const attachments = of("minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment");
  const lake: LakeWiring = {
    server: provider.minioServer,
    rootUser: provider.minioUser,
    rootPassword: provider.minioPassword,
    buckets: regs
      .filter((r) => r.type === "pulumi-nodejs:dynamic/storage:LakeBucket")
      .map((r) => {
        const { bucket, server, accessKey, secretKey } = unsecret(r.inputs);
        return {
          bucket,
          server,
          accessKey,
          secretKey,
          retainOnDelete: r.retainOnDelete,
        };
      }),
    versioned: of("minio:index/s3BucketVersioning:S3BucketVersioning")
      .filter((v) => v.versioningConfiguration.status === "Enabled")
      .map((v) => v.bucket),
    users: of("minio:index/iamUser:IamUser").map((u) => ({
      name: u.name,
      secret: u.secret,
      policy: attachments.find((a) => a.userName === u.name)!.policyName,
    })),
    policies: of("minio:index/iamPolicy:IamPolicy").map((p) => ({
      name: p.name,
      document: p.policy,
    })),
  };
  const k8s = await runProgram("k8s", overrides);
  const policies = {
    stack: "k8s",
    specs: k8s.registrations
      .filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")
      .map((r) => unsecret(r.inputs).spec as PolicySpec),
  };
  // Each workload's pod (by its service name), as the k8s stack renders it.
  const pods = k8s.registrations
    .filter((r) => /^kubernetes:apps\/v1:(Deployment|StatefulSet)$/.test(r.type))
    .map((r) => [r.name, unsecret(r.inputs).spec.template.spec] as const);
  const scratchMiB = Object.fromEntries(
    pods.map(([name, pod]) => {
      const limit = pod.containers[0].resources.limits;
      return [name, Number(/^(\d+)Mi$/.exec(limit["ephemeral-storage"])?.[1])];
    }),
  );
  // Each workload's emptyDirs, where its root filesystem is read-only.
  const writable = new Map(
    pods
      .filter(([, pod]) => pod.containers[0].securityContext.readOnlyRootFilesystem)
      .map(([name, pod]) => {
        const scratch = new Set(
          pod.volumes.filter((v: any) => v.emptyDir).map((v: { name: string }) => v.name),
        );
        const paths = pod.containers[0].volumeMounts
          .filter((m: { name: string }) => scratch.has(m.name))
          .map((m: { mountPath: string }) => m.mountPath);
        return [name, paths as string[]];
      }),
  );
  return {
    containers: wiring.map((c) =>
      writable.has(c.aliases[0]) ? { ...c, writable: writable.get(c.aliases[0]) } : c,
    ),
    policies,
    scratchMiB,
    lake,
    outputs: run.outputs,
    credentials: run.outputs.credentials.value,
    secrets,
  };
}
