import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { healthTiming, stopGrace } from "./health";
import type { AllowList } from "./allowList";
import type {
  FileSpec,
  HealthCheckSpec,
  HttpProbe,
  PortRange,
  VolumeSpec,
  WorkloadSpec,
} from "./types";

import Input = k8s.types.input.core.v1;

/**
 * Ephemeral storage of a workload that declares none (MiB). The real-services suite measures what
 * each container writes outside its volumes and checks every limit against it (e2e-report/disk.md).
 */
export const SCRATCH_MIB = 1024;

/** Names of the objects a pod refers to, known only once the platform created them. */
export interface PodRefs {
  readonly secretName?: pulumi.Input<string>;
  readonly configMapName?: pulumi.Input<string>;
  /** Volume name → PVC name. */
  readonly claims: Record<string, pulumi.Input<string>>;
}

/** Recommended labels; `selectorLabels` is the stable subset a selector may use. */
export function selectorLabels(service: string, stack: string): Record<string, string> {
  return { "app.kubernetes.io/instance": stack, "app.kubernetes.io/name": service };
}

export function labels(service: string, stack: string): Record<string, string> {
  return {
    ...selectorLabels(service, stack),
    "app.kubernetes.io/managed-by": "pulumi",
    "app.kubernetes.io/part-of": "dataflow-lab",
  };
}

/** A preference to put a workload's copies on different nodes, so one node down takes one copy. */
export function spreadOverNodes(service: string, stack: string): Input.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            topologyKey: "kubernetes.io/hostname",
            labelSelector: { matchLabels: selectorLabels(service, stack) },
          },
        },
      ],
    },
  };
}

/** ConfigMap/Secret key for a mounted file: its path with every disallowed character replaced. */
export function fileKey(path: string): string {
  return path.replace(/^\/+/, "").replace(/[^-._a-zA-Z0-9]/g, "_");
}

/** Key in the workload Secret for a credential env var. */
export function envKey(name: string): string {
  return `env.${name}`;
}

/** Files split by where they live on Kubernetes. */
export function splitFiles(files: readonly FileSpec[] = []): {
  plain: FileSpec[];
  secret: FileSpec[];
} {
  return { plain: files.filter((f) => !f.secret), secret: files.filter((f) => f.secret) };
}

/** The pod template's spec for a workload: one container, probes, limits, mounts, env from a Secret. */
export function podSpec(spec: WorkloadSpec, refs: PodRefs): Input.PodSpec {
  const { plain, secret } = splitFiles(spec.files);
  const seeded = (spec.volumes ?? []).filter((v) => v.seedFromImage);
  const cpus = spec.cpus ?? 1;
  const env: Input.EnvVar[] = [
    ...Object.keys(spec.env ?? {}).map((name) => ({ name, value: spec.env![name] })),
    ...(spec.ownAddressEnv ?? []).map((name) => ({
      name,
      valueFrom: { fieldRef: { fieldPath: "status.podIP" } },
    })),
    ...Object.keys(spec.secretEnv ?? {}).map((name) => ({
      name,
      valueFrom: { secretKeyRef: { name: refs.secretName!, key: envKey(name) } },
    })),
  ].sort((a, b) => a.name.localeCompare(b.name));

  const scratch = (spec.writablePaths ?? []).map((path) => ({ name: scratchName(path), path }));

  const volumes: Input.Volume[] = [
    ...(spec.volumes ?? []).map((v) => ({
      name: v.name,
      persistentVolumeClaim: { claimName: refs.claims[v.name] },
    })),
    ...(plain.length > 0
      ? [{ name: "files", configMap: { name: refs.configMapName!, defaultMode: 0o555 } }]
      : []),
    ...(secret.length > 0
      ? [
          {
            name: "secret-files",
            // Readable by the pod's own group only (fsGroup, the workload's runAs group). A root
            // workload has no such group, and may start processes as other users who read them,
            // so its stay readable by all.
            secret: { secretName: refs.secretName!, defaultMode: spec.root ? 0o444 : 0o440 },
          },
        ]
      : []),
    ...scratch.map((s) => ({ name: s.name, emptyDir: {} })),
  ];
  const mounts: Input.VolumeMount[] = [
    ...(spec.volumes ?? []).map((v) => ({ name: v.name, mountPath: v.mountPath })),
    ...scratch.map((s) => ({ name: s.name, mountPath: s.path })),
    // subPath mounts keep the rest of each directory from the image.
    ...plain.map((f) => ({
      name: "files",
      mountPath: f.path,
      subPath: fileKey(f.path),
      readOnly: true,
    })),
    ...secret.map((f) => ({
      name: "secret-files",
      mountPath: f.path,
      subPath: fileKey(f.path),
      readOnly: true,
    })),
  ];

  return {
    // A Service named like the workload would otherwise inject e.g. SPARK_MASTER_PORT=tcp://…,
    // which crashes Spark and becomes a bogus property of Kafka's (see docs/operations.md, Troubleshooting).
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: stopGrace(spec),
    securityContext: podSecurity(spec),
    containers: [
      {
        name: spec.service,
        image: typeof spec.image === "string" ? spec.image : spec.image.ref,
        ...(spec.entrypoint ? { command: spec.entrypoint } : {}),
        ...(spec.command ? { args: spec.command } : {}),
        env,
        ports: (spec.ports ?? []).map((p) => ({
          name: p.name,
          containerPort: p.port,
          protocol: "TCP",
        })),
        volumeMounts: mounts,
        resources: {
          requests: {
            cpu: `${Math.max(50, Math.round(cpus * 250))}m`,
            memory: `${spec.memoryMiB}Mi`,
            "ephemeral-storage": `${spec.scratchMiB ?? SCRATCH_MIB}Mi`,
          },
          limits: {
            cpu: `${Math.round(cpus * 1000)}m`,
            memory: `${spec.memoryMiB}Mi`,
            "ephemeral-storage": `${spec.scratchMiB ?? SCRATCH_MIB}Mi`,
          },
        },
        securityContext: containerSecurity(spec),
        ...probes(spec.health),
      },
    ],
    ...(seeded.length > 0 ? { initContainers: [seedContainer(spec, seeded)] } : {}),
    volumes,
  };
}

/**
 * The pod's security context: the workload's non-root identity (`runAs`), unless it declares
 * `root`. Every pod, root or not, gets the runtime's default seccomp profile (the one Docker applies
 * to every container, so the dev stack runs each image under it); Kubernetes' own default is none.
 */
export function podSecurity(spec: WorkloadSpec): Input.PodSecurityContext {
  const seccompProfile = { type: "RuntimeDefault" };
  if (spec.root) return { seccompProfile };
  return {
    runAsNonRoot: true,
    ...(spec.runAs
      ? { runAsUser: spec.runAs.user, runAsGroup: spec.runAs.group, fsGroup: spec.runAs.group }
      : {}),
    seccompProfile,
  };
}

/**
 * The container's security context: no privilege escalation and no capability, and a read-only
 * root filesystem when the workload names where it writes (`writablePaths`). A `root` workload keeps
 * root's capabilities (its reason is where it sets `root`).
 */
export function containerSecurity(spec: WorkloadSpec): Input.SecurityContext {
  if (spec.root) return { runAsUser: 0 };
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    ...(spec.writablePaths ? { readOnlyRootFilesystem: true } : {}),
  };
}

/** What a workload's object says about its exceptions to the security context, for `kubectl describe`. */
export function exceptionAnnotations(spec: WorkloadSpec): {
  annotations?: Record<string, string>;
} {
  return spec.writableRoot
    ? { annotations: { "dataflow-lab/writable-root": spec.writableRoot } }
    : {};
}

/** Volume name of the `emptyDir` at a writable path: a DNS label (at most 63) derived from it. */
export function scratchName(path: string): string {
  const slug = path
    .replace(/[^a-zA-Z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .toLowerCase();
  return `scratch-${slug}`.slice(0, 63).replace(/-+$/, "");
}

/** Readiness, liveness and a startup probe that gives the service its start period. */
export function probes(h: HealthCheckSpec): {
  readinessProbe: Input.Probe;
  livenessProbe: Input.Probe;
  startupProbe: Input.Probe;
} {
  const t = healthTiming(h);
  const period = t.intervalSeconds;
  const timeout = t.timeoutSeconds;
  const ready = action(h.http, h.command, h.tcpPort);
  // Alive is less than ready: a server that answers on its port is alive even while its readiness
  // check fails (a database it needs is down), and restarting it would not help. So liveness is
  // its own check where declared, else the HTTP port accepting connections.
  const alive = h.liveness
    ? action(h.liveness.http, h.liveness.command ?? h.command)
    : h.http
      ? { tcpSocket: { port: h.http.port } }
      : ready;
  return {
    // Polled as Docker polls a starting container, for as long as Docker waits in all (the start
    // period, then its retries at the interval).
    startupProbe: {
      ...ready,
      periodSeconds: t.startIntervalSeconds,
      timeoutSeconds: timeout,
      failureThreshold: Math.ceil(
        (t.startPeriodSeconds + t.retries * period) / t.startIntervalSeconds,
      ),
    },
    readinessProbe: {
      ...ready,
      periodSeconds: period,
      timeoutSeconds: timeout,
      failureThreshold: 3,
    },
    livenessProbe: {
      ...alive,
      periodSeconds: period * 3,
      timeoutSeconds: timeout,
      failureThreshold: 5,
    },
  };
}

function action(http: HttpProbe | undefined, command: string[], tcpPort?: number): Input.Probe {
  if (http) return { httpGet: { path: http.path, port: http.port, scheme: http.scheme ?? "HTTP" } };
  if (tcpPort) return { tcpSocket: { port: tcpPort } };
  return { exec: { command } };
}

/**
 * Init container that fills each empty seeded volume with what the image has at its mount path,
 * as Docker does for a new named volume (a PVC starts empty, and NiFi cannot start on an empty conf).
 */
function seedContainer(spec: WorkloadSpec, seeded: VolumeSpec[]): Input.Container {
  const script = seeded
    // A fresh ext4 volume holds lost+found, which does not count as content.
    .map(
      (v) =>
        `[ -n "$(ls -A /seed/${v.name} | grep -vx lost+found)" ] || cp -a ${v.mountPath}/. /seed/${v.name}/`,
    )
    .join(" && ");
  return {
    name: "seed-volumes",
    image: typeof spec.image === "string" ? spec.image : spec.image.ref,
    command: ["sh", "-c", script],
    volumeMounts: seeded.map((v) => ({ name: v.name, mountPath: `/seed/${v.name}` })),
    resources: {
      requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "64Mi" },
    },
    // It only copies from the image into the volumes, so the main container's rules fit it.
    securityContext: containerSecurity(spec),
  };
}

/**
 * The NetworkPolicy of one workload: its callers by pod label on the ports they use, anyone on its
 * published ports (a NodePort or an Ingress controller reaches it from outside the namespace), and
 * egress to the services it connects to plus DNS. Kubernetes always lets through a pod's own traffic
 * and its node's (the kubelet's probes).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function networkPolicySpec(
  list: AllowList,
  stack: string,
): k8s.types.input.networking.v1.NetworkPolicySpec {
  const ports = (ranges: readonly PortRange[]) =>
    ranges.map((r) => ({
      protocol: "TCP",
      port: r.port,
      ...(r.endPort !== undefined ? { endPort: r.endPort } : {}),
    }));
  return {
    podSelector: { matchLabels: selectorLabels(list.service, stack) },
    policyTypes: ["Ingress", "Egress"],
    ingress: [
      ...list.ingress.map((i) => ({
        from: [{ podSelector: { matchLabels: selectorLabels(i.from, stack) } }],
        ports: ports(i.ports),
      })),
      ...(list.published.length > 0 ? [{ ports: ports(list.published) }] : []),
    ],
    egress: [
      ...list.egress.map((e) => ({
        to: [{ podSelector: { matchLabels: selectorLabels(e.to, stack) } }],
        ports: ports(e.ports),
      })),
      // Services are found by name. To any address: node-local DNS caches and the cluster's DNS
      // pods carry no label every distribution shares.
      ...(list.egress.length > 0
        ? [
            {
              ports: [
                { protocol: "UDP", port: 53 },
                { protocol: "TCP", port: 53 },
              ],
            },
          ]
        : []),
    ],
  };
}

/**
 * Every pod of the lab isolated both ways unless its own policy allows: a pod the lab adds without
 * one talks to nothing. Selects the lab's pods only, never other tenants of the namespace.
 */
export function defaultDenySpec(stack: string): k8s.types.input.networking.v1.NetworkPolicySpec {
  return {
    podSelector: {
      matchLabels: {
        "app.kubernetes.io/instance": stack,
        "app.kubernetes.io/part-of": "dataflow-lab",
      },
    },
    policyTypes: ["Ingress", "Egress"],
    ingress: [],
    egress: [],
  };
}
