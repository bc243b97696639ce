/**
 * The k8s stack's NetworkPolicies, enforced on the real-services suite's containers as a CNI plugin
 * enforces them on pods: each container's network namespace gets an nftables ruleset made from
 * the policies that select its pod (by the labels the Kubernetes platform gives it). As on
 * Kubernetes, a container's own traffic and the node's (here: the bridge address, where published
 * ports are forwarded from and the suite itself calls) always pass. Every connection attempt a
 * ruleset refuses is recorded (the sets `refused_in`/`refused_out`), so the suite can show that the
 * lab never made one.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
import { labels } from "../../components/platform/kubernetesManifests";

/** A NetworkPolicy's spec, as the k8s stack registers it. */
export interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: ("Ingress" | "Egress")[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

interface PolicyRule {
  from?: { podSelector?: { matchLabels?: Record<string, string> } }[];
  to?: { podSelector?: { matchLabels?: Record<string, string> } }[];
  ports?: { protocol?: string; port: number; endPort?: number }[];
}

/** Where the containers are: each one's service, and its address. */
export interface Pods {
  /** Stack name the policies were rendered for (their selectors name it). */
  readonly stack: string;
  readonly node: string;
  readonly containers: readonly { name: string; service: string; address: string }[];
}

const matches = (selector: Record<string, string> | undefined, pod: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => pod[k] === v);

/** The rules of one direction for a pod, as nftables statements (`ip <dir> … accept`). */
function rules(
  policies: readonly PolicySpec[],
  pod: Record<string, string>,
  pods: Pods,
  direction: "ingress" | "egress",
): string[] {
  const addr = direction === "ingress" ? "saddr" : "daddr";
  const out: string[] = [];
  for (const p of policies) {
    if (!matches(p.podSelector.matchLabels, pod)) continue;
    for (const r of p[direction] ?? []) {
      const peers = direction === "ingress" ? r.from : r.to;
      let match = "";
      if (peers) {
        const addresses = pods.containers
          .filter((c) =>
            peers.some((q) => matches(q.podSelector?.matchLabels, labels(c.service, pods.stack))),
          )
          .map((c) => c.address);
        // A peer with no running pod (a service switched off) allows nothing.
        if (addresses.length === 0) continue;
        match = `ip ${addr} { ${addresses.join(", ")} } `;
      }
      for (const proto of ["tcp", "udp"]) {
        const ports = (r.ports ?? [])
          .filter((q) => (q.protocol ?? "TCP").toLowerCase() === proto)
          .map((q) => (q.endPort ? `${q.port}-${q.endPort}` : `${q.port}`));
        if (ports.length > 0) out.push(`${match}${proto} dport { ${ports.join(", ")} } accept`);
      }
    }
  }
  return out;
}

/** Whether any policy selecting the pod isolates it in `type` (else everything passes that way). */
function isolated(policies: readonly PolicySpec[], pod: Record<string, string>, type: string) {
  return policies.some(
    (p) => matches(p.podSelector.matchLabels, pod) && p.policyTypes.includes(type as never),
  );
}

/** The nftables ruleset of one container's network namespace. */
export function ruleset(policies: readonly PolicySpec[], pods: Pods, name: string): string {
  const me = pods.containers.find((c) => c.name === name)!;
  const pod = labels(me.service, pods.stack);
  const always = `{ ${pods.node}, ${me.address} }`;
  const chain = (hook: "input" | "output", type: string, dir: "ingress" | "egress") => {
    const [addr, iface, set] =
      hook === "input" ? ["saddr", "iif", "refused_in"] : ["daddr", "oif", "refused_out"];
    const body = isolated(policies, pod, type)
      ? [
          "ct state established,related accept",
          `${iface} lo accept`,
          `ip ${addr} ${always} accept`,
          ...rules(policies, pod, pods, dir),
          // A connection attempt (SYN) is recorded; any other packet that is not of a tracked
          // connection is a straggler of one already reset, and refused unrecorded.
          `tcp flags & (syn | ack) == syn add @${set} { ip ${hook === "input" ? "saddr" : "daddr"} . tcp dport } reject with tcp reset`,
          "meta l4proto tcp reject with tcp reset",
          "reject",
        ]
      : ["accept"];
    return [
      `  chain ${hook} {`,
      `    type filter hook ${hook} priority 0; policy ${isolated(policies, pod, type) ? "drop" : "accept"};`,
      ...body.map((l) => `    ${l}`),
      "  }",
    ];
  };
  return [
    "table inet dfl {",
    "  set refused_in { type ipv4_addr . inet_service; flags dynamic; }",
    "  set refused_out { type ipv4_addr . inet_service; flags dynamic; }",
    ...chain("input", "Ingress", "ingress"),
    ...chain("output", "Egress", "egress"),
    "}",
    "",
  ].join("\n");
}

/** Whether the policies let `from` open a TCP connection to `to`'s `port` (both ends must allow). */
export function allowed(
  policies: readonly PolicySpec[],
  pods: Pods,
  from: string,
  to: string,
  port: number,
): boolean {
  if (from === to) return true;
  const src = pods.containers.find((c) => c.name === from)!;
  const dst = pods.containers.find((c) => c.name === to)!;
  const lets = (
    pod: string,
    other: { service: string },
    dir: "ingress" | "egress",
    type: string,
  ): boolean => {
    const labelsOf = labels(pods.containers.find((c) => c.name === pod)!.service, pods.stack);
    if (!isolated(policies, labelsOf, type)) return true;
    return policies.some(
      (p) =>
        matches(p.podSelector.matchLabels, labelsOf) &&
        (p[dir] ?? []).some((r) => {
          const peers = dir === "ingress" ? r.from : r.to;
          const peerOk =
            !peers ||
            peers.some((q) =>
              matches(q.podSelector?.matchLabels, labels(other.service, pods.stack)),
            );
          const portOk = (r.ports ?? []).some(
            (q) =>
              (q.protocol ?? "TCP") === "TCP" && port >= q.port && port <= (q.endPort ?? q.port),
          );
          return peerOk && portOk;
        }),
    );
  };
  return lets(from, dst, "egress", "Egress") && lets(to, src, "ingress", "Ingress");
}
