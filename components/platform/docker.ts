import * as docker from "@pulumi/docker";
import type * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { allowLists } from "./allowList";
import { healthTiming, stopGrace } from "./health";
import { buildImage, builderProvider } from "./imageBuild";
import { checkWorkload } from "./workloadRules";
import {
  endpointAt,
  workloadAddresses,
  type BuiltImage,
  type ExternalEndpoint,
  type FileSpec,
  type HealthCheckSpec,
  type ImageBuildSpec,
  type Platform,
  type PublishSpec,
  type Workload,
  type WorkloadSpec,
} from "./types";

/** Arguments for {@link DockerPlatform}. */
export interface DockerPlatformArgs {
  /** The validated lab config (its `docker` section and `retainDataOnDestroy` apply here). */
  readonly config: PlatformConfig;
}

/**
 * The lab on one Docker host: an explicit provider, one bridge network, and for each workload its
 * image, named volumes and containers named `dataflow-lab-<stack>-<service>[-n]`.
 */
export class DockerPlatform extends pulumi.ComponentResource implements Platform {
  readonly target = "docker" as const;
  readonly provider: docker.Provider;
  readonly network: docker.Network;
  private readonly config: PlatformConfig;
  private readonly prefix: string;
  private readonly name: string;
  private builder?: dockerBuild.Provider;
  private readonly specs: WorkloadSpec[] = [];

  constructor(name: string, args: DockerPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:platform:Docker", name, {}, opts);
    this.config = args.config;
    this.name = name;
    this.prefix = `${pulumi.getProject()}-${args.config.stack}`;
    this.provider = new docker.Provider(
      name,
      args.config.docker.host ? { host: args.config.docker.host } : {},
      { parent: this },
    );
    this.network = new docker.Network(
      name,
      { name: this.prefix, driver: "bridge", labels: this.labels("network") },
      // podman reads back an IPAM driver the program never sets (`host-local`), which would
      // replace the network, and every container on it, on each `pulumi up`.
      { parent: this, provider: this.provider, ignoreChanges: ["ipamOptions"] },
    );
    this.registerOutputs({ network: this.network.name });
  }

  deploy(spec: WorkloadSpec, parent: pulumi.Resource): Workload {
    checkWorkload(spec, parent);
    this.specs.push(spec);
    const opts = { parent, provider: this.provider };
    const image =
      typeof spec.image === "string"
        ? new docker.RemoteImage(spec.service, { name: spec.image, keepLocally: true }, opts)
            .imageId
        : spec.image.ref;
    const volumes = (spec.volumes ?? []).map((v) => ({
      containerPath: v.mountPath,
      volumeName: new docker.Volume(
        `${spec.service}-${v.name}`,
        { name: `${this.prefix}-${spec.service}-${v.name}`, labels: this.labels(spec.service) },
        { ...opts, retainOnDelete: this.config.retainDataOnDestroy },
      ).name,
    }));
    const names =
      spec.replicas === undefined
        ? [spec.service]
        : Array.from({ length: spec.replicas }, (_, i) => `${spec.service}-${i + 1}`);

    const containers = names.map(
      (name) =>
        new docker.Container(
          name,
          {
            name: `${this.prefix}-${name}`,
            hostname: name,
            image,
            ...(spec.root
              ? { user: "root" }
              : spec.runAsOnDocker && spec.runAs
                ? { user: `${spec.runAs.user}:${spec.runAs.group}` }
                : {}),
            entrypoints: spec.entrypoint,
            command: spec.command,
            envs: envList(
              {
                ...spec.env,
                ...Object.fromEntries((spec.ownAddressEnv ?? []).map((k) => [k, name])),
              },
              spec.secretEnv,
            ),
            // One DNS name for the service (as on Kubernetes) plus one per numbered copy.
            networksAdvanced: [
              { name: this.network.name, aliases: [...new Set([spec.service, name])] },
            ],
            ports: (spec.ports ?? [])
              .filter((p) => p.publish && name === names[0])
              .map((p) => ({
                internal: p.port,
                external: p.publish!.hostPort,
                ip: this.config.docker.bindAddress,
                protocol: "tcp",
              })),
            volumes,
            uploads: (spec.files ?? []).map((f) => ({
              file: f.path,
              content: f.secret ? pulumi.secret(f.content) : f.content,
              permissions: fileMode(f),
            })),
            // Uploads are root:root, whoever the image's user is; a file holding a key is readable
            // by its group only (as a Secret's 0440 under the pod's fsGroup on Kubernetes), so the
            // container's user joins group 0 for it. Group 0 is no privilege: what an image gives
            // it is what OpenShift gives every container's arbitrary uid.
            ...((spec.files ?? []).some((f) => f.secret) ? { groupAdds: ["0"] } : {}),
            healthcheck: healthcheck(spec.health, this.config.docker.healthStartInterval),
            // Replaced or destroyed, it stops cleanly first; `docker stop` by hand waits as long.
            destroyGraceSeconds: stopGrace(spec),
            stopTimeout: stopGrace(spec),
            // Dependents (and the MinIO provider) must see a healthy service, not a started one.
            wait: true,
            waitTimeout: waitTimeoutSeconds(spec.health),
            restart: "unless-stopped",
            memory: spec.memoryMiB,
            // No swap beyond the limit, as on Kubernetes: the limit is what the real-services
            // suite measures against. Unset, the daemon makes it twice the memory and the
            // provider reads that back as a change on every preview.
            memorySwap: spec.memoryMiB,
            cpus: dockerCpus(spec.cpus ?? 1),
            labels: this.labels(spec.service),
            logDriver: "json-file",
            logOpts: { "max-size": "10m", "max-file": "3" },
          },
          {
            ...opts,
            dependsOn: spec.startAfter && [...spec.startAfter],
            // The name and the published ports are the container's own: Pulumi's default
            // create-then-delete would start the new one beside the old and fail on both
            // ("name already in use", "port is already allocated"; by design in pulumi-docker #1356),
            // so a changed env (a rotated password) could never be applied.
            deleteBeforeReplace: true,
            // podman's Docker API reports no log options back, so each preview would replace
            // every container to set them again; Docker reports them as given.
            ignoreChanges: ["logOpts"],
          },
        ),
    );

    return {
      host: spec.service,
      ready: containers,
      // Docker publishes ports with the container itself.
      publishedReady: containers,
      ...workloadAddresses(spec, (p) => this.endpoint(p)),
      memoryMiB: spec.memoryMiB * names.length,
    };
  }

  /** Built into the Docker host's image store (see {@link buildImage}). */
  image(spec: ImageBuildSpec, parent: pulumi.Resource): BuiltImage {
    if (spec.prebuilt) {
      const pulled = new docker.RemoteImage(
        spec.name,
        { name: spec.prebuilt, keepLocally: true },
        { parent, provider: this.provider },
      );
      return { ref: pulled.imageId, local: true };
    }
    this.builder ??= builderProvider(`${this.name}-builder`, this.config.docker.host, this);
    const built = buildImage(
      spec,
      { repository: `dataflow-lab/${spec.name}`, push: false },
      { parent, provider: this.builder },
    );
    // The tag (which changes with the content): what the daemon knows a loaded image by, and what
    // the provider reads back from a container, so previews stay quiet.
    return { ref: built.ref, local: true };
  }

  endpoint(publish: PublishSpec): ExternalEndpoint {
    return endpointAt(this.config.docker.publishedHost, publish.hostPort, publish);
  }

  /**
   * Checks the declared connections only: a Docker network has no per-container policy, and the
   * Docker stack publishes on loopback alone. The Kubernetes stack enforces the same allow-lists.
   */
  isolate(parent: pulumi.Resource): void {
    try {
      allowLists(this.specs);
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, parent);
    }
  }

  private labels(service: string): docker.types.input.ContainerLabel[] {
    return [
      { label: "dataflow-lab.service", value: service },
      { label: "dataflow-lab.stack", value: this.config.stack },
    ];
  }
}

/**
 * An upload's mode: scripts run by anyone, other files read by anyone, a file holding a key read
 * by root's group only (its owner is root).
 */
export function fileMode(f: FileSpec): string {
  if (f.secret) return f.executable ? "0550" : "0440";
  return f.executable ? "0755" : "0644";
}

/** `KEY=value` list, sorted for stable diffs; each credential entry is its own secret. */
export function envList(
  env: Record<string, pulumi.Input<string>> = {},
  secretEnv: Record<string, pulumi.Input<string>> = {},
): pulumi.Input<string>[] {
  const plain = Object.keys(env).map((k) => [k, pulumi.interpolate`${k}=${env[k]}`] as const);
  const secret = Object.keys(secretEnv).map(
    (k) => [k, pulumi.secret(pulumi.interpolate`${k}=${secretEnv[k]}`)] as const,
  );
  return [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
}

/**
 * A CPU limit written as the provider reads it back from the daemon (`nanoInt64ToDecimalString` in
 * terraform-provider-docker's helpers.go): "1.0", "0.5", "1.5", and (its quirk) "10." for ten.
 * Any other spelling of the same number is a change, and a replacement, on every preview.
 */
export function dockerCpus(cpus: number): string {
  const fixed = cpus.toFixed(9);
  if ((fixed.match(/0/g) ?? []).length === 9) return cpus.toFixed(1);
  return fixed.replace(/0+$/, "");
}

/** Docker healthcheck in exec form; failures during the start period do not count. */
export function healthcheck(
  h: HealthCheckSpec,
  startInterval = true,
): docker.types.input.ContainerHealthcheck {
  const t = healthTiming(h);
  return {
    tests: ["CMD", ...h.command],
    interval: `${t.intervalSeconds}s`,
    timeout: `${t.timeoutSeconds}s`,
    retries: t.retries,
    startPeriod: `${t.startPeriodSeconds}s`,
    // The provider refuses the container below API 1.44 ("specify health-check start interval"
    // requires it), which podman's compatible API (1.41) and Docker Engine < 25 are.
    ...(startInterval ? { startInterval: `${t.startIntervalSeconds}s` } : {}),
  };
}

/** Long enough for the start period plus every retry, so `wait` never gives up on a slow first start. */
export function waitTimeoutSeconds(h: HealthCheckSpec): number {
  const t = healthTiming(h);
  return t.startPeriodSeconds + t.retries * (t.intervalSeconds + t.timeoutSeconds) + 60;
}
