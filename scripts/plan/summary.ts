/**
 * The inputs of a resource a reviewer looks at first, on one line: what runs (image, replicas), what
 * it may use (memory, CPUs), what it exposes (ports), what it is told (env var names), what it keeps
 * (volumes). Read from the redacted fields, so a secret is `[secret]` here as everywhere.
 */
type Shown = Record<string, string>;
type Part = [label: string, value: string | undefined];

/** `label=value` pairs for one resource, in a fixed order; empty parts are left out. */
export function summarize(type: string, shown: Shown): string {
  const parts = (SUMMARIES[type] ?? scalars)(shown);
  return parts
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== "")
    .map(([label, value]) => `${label}=${value}`)
    .join(" ");
}

const SUMMARIES: Record<string, (f: Shown) => Part[]> = {
  "docker:index/container:Container": (f) => [
    ["image", f.image],
    ["memory", f.memory && `${f.memory}MiB`],
    ["cpus", f.cpus],
    ["user", f.user],
    [
      "ports",
      list(f, /^ports\[([^\]]+)\]\.external$/, (m, v) => `${f[`ports[${m[1]}].ip`]}:${v}->${m[1]}`),
    ],
    ["env", list(f, /^envs\[([^\]]+)\]$/, (m) => m[1])],
    ["volumes", list(f, /^volumes\[([^\]]+)\]\.volumeName$/, (m, v) => `${v}:${m[1]}`)],
    ["files", list(f, /^uploads\[([^\]]+)\]\.content$/, (m) => m[1])],
  ],
  "docker:index/remoteImage:RemoteImage": (f) => [
    ["name", f.name],
    ["dockerfile", f["build.dockerfile"]],
  ],
  "docker-build:index:Image": (f) => [
    ["tag", f["tags[0]"]],
    ["dockerfile", f["dockerfile.location"]],
  ],
  "docker:index/image:Image": (f) => [
    ["imageName", f.imageName],
    ["dockerfile", f["build.dockerfile"]],
  ],
  "docker:index/volume:Volume": (f) => [["name", f.name]],
  "docker:index/network:Network": (f) => [["name", f.name]],
  "kubernetes:apps/v1:Deployment": workload,
  "kubernetes:apps/v1:StatefulSet": workload,
  "kubernetes:core/v1:Service": (f) => [
    ["type", f["spec.type"]],
    [
      "ports",
      list(f, /^spec\.ports\[([^\]]+)\]\.port$/, (m, v) => {
        const node = f[`spec.ports[${m[1]}].nodePort`];
        return `${m[1]}:${v}${node ? `->${node}` : ""}`;
      }),
    ],
  ],
  "kubernetes:core/v1:PersistentVolumeClaim": (f) => [
    ["name", f["metadata.name"]],
    ["size", f["spec.resources.requests.storage"]],
    ["storageClass", f["spec.storageClassName"]],
  ],
  "kubernetes:core/v1:Secret": (f) => [["keys", list(f, /^stringData\.(.+)$/, (m) => m[1])]],
  "kubernetes:core/v1:ConfigMap": (f) => [["keys", list(f, /^data\.(.+)$/, (m) => m[1])]],
  "kubernetes:core/v1:Namespace": (f) => [["name", f["metadata.name"]]],
  "kubernetes:networking/v1:Ingress": (f) => [
    ["hosts", list(f, /^spec\.rules\[\d+\]\.host$/, (_, v) => v)],
  ],
};

/** A Deployment's or StatefulSet's pod: per container image, limits, ports, env; then volumes. */
function workload(f: Shown): Part[] {
  const pod = "spec.template.spec.";
  const containers = names(f, /^spec\.template\.spec\.containers\[([^\]]+)\]\.image$/);
  const parts: Part[] = [["replicas", f["spec.replicas"]]];
  for (const c of containers) {
    const at = `${pod}containers[${c}].`;
    const prefix = containers.length > 1 ? `${c}.` : "";
    const esc = escape(at);
    parts.push(
      [`${prefix}image`, f[`${at}image`]],
      [`${prefix}memory`, f[`${at}resources.limits.memory`]],
      [`${prefix}cpu`, f[`${at}resources.limits.cpu`]],
      [
        `${prefix}ports`,
        list(
          f,
          new RegExp(`^${esc}ports\\[([^\\]]+)\\]\\.containerPort$`),
          (m, v) => `${m[1]}:${v}`,
        ),
      ],
      [`${prefix}env`, [...new Set(names(f, new RegExp(`^${esc}env\\[([^\\]]+)\\]`)))].join(",")],
    );
  }
  parts.push(
    ["init", names(f, /^spec\.template\.spec\.initContainers\[([^\]]+)\]\.image$/).join(",")],
    [
      "volumes",
      list(
        f,
        /^spec\.template\.spec\.volumes\[([^\]]+)\]\.persistentVolumeClaim\.claimName$/,
        (m, v) => `${m[1]}(pvc ${v})`,
      ),
    ],
  );
  return parts;
}

/** Top-level scalar inputs, for every type without a summary of its own. */
function scalars(f: Shown): Part[] {
  return Object.keys(f)
    .filter((k) => /^[A-Za-z0-9_-]+$/.test(k))
    .sort()
    .map((k) => [k, f[k]]);
}

/** Fields matching `re`, each formatted, sorted, comma-joined. */
function list(f: Shown, re: RegExp, format: (m: RegExpExecArray, value: string) => string): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(f)) {
    const m = re.exec(k);
    if (m) out.push(format(m, v));
  }
  return out.sort().join(",");
}

function names(f: Shown, re: RegExp): string[] {
  return Object.keys(f)
    .map((k) => re.exec(k)?.[1])
    .filter((n): n is string => n !== undefined)
    .sort();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
