import type { Peer, PortRange, PublishSpec, WorkloadSpec } from "./types";

/** One workload's allowed traffic: what may open connections to it, and what it may open. */
export interface AllowList {
  readonly service: string;
  /** Callers by service and the ports of this workload they use. */
  readonly ingress: readonly { readonly from: string; readonly ports: readonly PortRange[] }[];
  /** Ports open to anyone who reaches them: those exposed outside (a NodePort, an Ingress). */
  readonly published: readonly PortRange[];
  /** Services it connects to and their ports. */
  readonly egress: readonly { readonly to: string; readonly ports: readonly PortRange[] }[];
}

/**
 * The lab's network allow-lists, one per workload, from what each declares: the connections it
 * opens (`connects`), those opened to it by callers that are not handed its address (`callers`),
 * and its published ports. An edge is allowed at both ends. Throws, naming the workload, when a
 * connection names a service no workload is, or a port that service does not listen on.
 */
export function allowLists(
  specs: readonly WorkloadSpec[],
  exposed: (p: PublishSpec) => boolean = () => true,
): AllowList[] {
  const byService = new Map(specs.map((s) => [s.service, s]));
  const edges: { from: string; to: string; range: PortRange }[] = [];
  const check = (owner: string, target: string, peer: PortRange, what: string) => {
    const spec = byService.get(target);
    if (!spec) {
      throw new Error(
        `${owner} ${what} ${target}:${portText(peer)}, but no workload of the lab is ${target}`,
      );
    }
    const served = [...(spec.ports ?? []), ...(spec.sessionPorts ?? [])];
    if (!served.some((p) => covers(p, peer))) {
      throw new Error(
        `${owner} ${what} ${target}:${portText(peer)}, which ${target} does not listen on ` +
          `(it listens on ${served.map(portText).join(", ") || "no port"})`,
      );
    }
  };
  for (const s of specs) {
    for (const c of s.connects ?? []) {
      check(s.service, c.service, c, "connects to");
      edges.push({ from: s.service, to: c.service, range: rangeOf(c) });
    }
    for (const c of s.callers ?? []) {
      if (!byService.has(c.service)) {
        throw new Error(
          `${s.service} names ${c.service} as a caller, but no workload is ${c.service}`,
        );
      }
      check(`${c.service} (a caller of ${s.service})`, s.service, c, "connects to");
      edges.push({ from: c.service, to: s.service, range: rangeOf(c) });
    }
  }
  const grouped = (pairs: { peer: string; range: PortRange }[]) =>
    [...new Set(pairs.map((p) => p.peer))].sort().map((peer) => ({
      peer,
      ports: dedupe(pairs.filter((p) => p.peer === peer).map((p) => p.range)),
    }));
  return specs.map((s) => ({
    service: s.service,
    ingress: grouped(
      edges.filter((e) => e.to === s.service).map((e) => ({ peer: e.from, range: e.range })),
    ).map(({ peer, ports }) => ({ from: peer, ports })),
    published: dedupe(
      (s.ports ?? []).filter((p) => p.publish && exposed(p.publish)).map((p) => ({ port: p.port })),
    ),
    egress: grouped(
      edges.filter((e) => e.from === s.service).map((e) => ({ peer: e.to, range: e.range })),
    ).map(({ peer, ports }) => ({ to: peer, ports })),
  }));
}

/** `7077`, or `7100-7115` for a range. */
export function portText(p: PortRange): string {
  return p.endPort !== undefined && p.endPort !== p.port ? `${p.port}-${p.endPort}` : `${p.port}`;
}

function rangeOf(p: Peer | PortRange): PortRange {
  return p.endPort !== undefined && p.endPort !== p.port
    ? { port: p.port, endPort: p.endPort }
    : { port: p.port };
}

function covers(outer: PortRange, inner: PortRange): boolean {
  return inner.port >= outer.port && (inner.endPort ?? inner.port) <= (outer.endPort ?? outer.port);
}

/** Sorted, each range once. */
function dedupe(ranges: PortRange[]): PortRange[] {
  const seen = new Map(ranges.map((r) => [portText(r), r]));
  return [...seen.values()].sort((a, b) => a.port - b.port);
}
