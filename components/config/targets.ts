import * as net from "net";
import { defaults, type LabConfig, type Target } from "./schema";
import { Problems, readImage, readOptionalString, readSection, readString } from "./readers";

/** Readers of the platform sections: `docker.*`, `kubernetes.*` and `images.*`. */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DOCKER_HOST = /^(unix|tcp|ssh|npipe):\/\/.+$/;
const HOSTNAME = /^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/;

export function readDocker(p: Problems, value: unknown): LabConfig["docker"] {
  const d = readSection(p, "docker", value, [...Object.keys(defaults.docker), "host"]);
  const bindAddress = readString(
    p,
    "docker.bindAddress",
    d.bindAddress,
    defaults.docker.bindAddress,
  );
  if (net.isIP(bindAddress) === 0) {
    p.add("docker.bindAddress", bindAddress, "an IPv4 or IPv6 address such as 127.0.0.1");
  }
  const host = readOptionalString(p, "docker.host", d.host);
  if (host !== undefined && !DOCKER_HOST.test(host)) {
    p.add("docker.host", host, "a Docker endpoint: unix://, tcp://, ssh:// or npipe://");
  }
  const publishedHost = readString(
    p,
    "docker.publishedHost",
    d.publishedHost,
    defaults.docker.publishedHost,
  );
  if (!HOSTNAME.test(publishedHost)) {
    p.add("docker.publishedHost", publishedHost, "a host name or IP address");
  }
  return { host, bindAddress, publishedHost };
}

export function readKubernetes(p: Problems, value: unknown): LabConfig["kubernetes"] {
  const k = readSection(p, "kubernetes", value, [
    ...Object.keys(defaults.kubernetes),
    "context",
    "kubeconfig",
    "storageClass",
    "ingressDomain",
    "ingressClassName",
  ]);
  const namespace = readString(
    p,
    "kubernetes.namespace",
    k.namespace,
    defaults.kubernetes.namespace,
  );
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    p.add(
      "kubernetes.namespace",
      namespace,
      "a DNS-1123 label: at most 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
    );
  }
  const nodeAddress = readString(
    p,
    "kubernetes.nodeAddress",
    k.nodeAddress,
    defaults.kubernetes.nodeAddress,
  );
  if (!HOSTNAME.test(nodeAddress)) {
    p.add("kubernetes.nodeAddress", nodeAddress, "a host name or IP address");
  }
  const ingressDomain = readOptionalString(p, "kubernetes.ingressDomain", k.ingressDomain);
  if (ingressDomain !== undefined && !HOSTNAME.test(ingressDomain)) {
    p.add("kubernetes.ingressDomain", ingressDomain, "a DNS domain such as lab.example.com");
  }
  return {
    namespace,
    context: readOptionalString(p, "kubernetes.context", k.context),
    kubeconfig: readOptionalString(p, "kubernetes.kubeconfig", k.kubeconfig),
    storageClass: readOptionalString(p, "kubernetes.storageClass", k.storageClass),
    nodeAddress,
    ingressDomain,
    ingressClassName: readOptionalString(p, "kubernetes.ingressClassName", k.ingressClassName),
  };
}

const BUILT_IMAGES = ["lab"] as const;

/** Where the lab's own images come from; Kubernetes cannot build, so it needs a registry or refs. */
export function readImages(p: Problems, value: unknown, target: Target): LabConfig["images"] {
  const section = readSection(p, "images", value, ["registry", ...BUILT_IMAGES]);
  const registry = readOptionalString(p, "images.registry", section.registry);
  if (registry !== undefined && !/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/.test(registry)) {
    p.add(
      "images.registry",
      registry,
      'a registry host with an optional path, e.g. "localhost:5001" or "ghcr.io/you"',
    );
  }
  const refs: Record<string, string | undefined> = {};
  for (const name of BUILT_IMAGES) {
    const v = readOptionalString(p, `images.${name}`, section[name]);
    refs[name] = v === undefined ? undefined : readImage(p, `images.${name}`, v, v);
    if (target === "kubernetes" && registry === undefined && refs[name] === undefined) {
      p.add(
        `images.${name}`,
        null,
        "a pushed image reference when images.registry is not set (a cluster cannot use images built on this machine)",
      );
    }
  }
  return { registry, lab: refs.lab };
}
