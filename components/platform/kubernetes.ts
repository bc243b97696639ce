import type * as dockerBuild from "@pulumi/docker-build";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { DynamicProvider } from "../storage/lakeBucket";
import { allowLists } from "./allowList";
import { ClaimClass } from "./claimClass";
import { exposure, type Exposure } from "./exposure";
import {
  defaultDenySpec,
  envKey,
  exceptionAnnotations,
  fileKey,
  labels,
  networkPolicySpec,
  podSpec,
  selectorLabels,
  splitFiles,
  spreadOverNodes,
} from "./kubernetesManifests";
import {
  endpointAt,
  workloadAddresses,
  type BuiltImage,
  type ExternalEndpoint,
  type ImageBuildSpec,
  type Platform,
  type PublishSpec,
  type Workload,
  type WorkloadSpec,
} from "./types";
import { buildImage, builderProvider } from "./imageBuild";
import { checkWorkload } from "./workloadRules";

/** Arguments for {@link KubernetesPlatform}. */
export interface KubernetesPlatformArgs {
  /** The validated lab config (its `kubernetes` section and `retainDataOnDestroy` apply here). */
  readonly config: PlatformConfig;
}

/**
 * The lab in one Kubernetes namespace: an explicit provider, the namespace, and for each workload a
 * Deployment (or a StatefulSet when it holds data), a Service named after it, PVCs, a Secret for its
 * credentials, a ConfigMap for its files, and a NodePort Service (plus Ingresses) for published ports.
 */
export class KubernetesPlatform extends pulumi.ComponentResource implements Platform {
  readonly target = "kubernetes" as const;
  readonly provider: k8s.Provider;
  /** Adopts an existing object on create: for what outlives `pulumi destroy` only. */
  readonly keptProvider: k8s.Provider;
  readonly namespace: k8s.core.v1.Namespace;
  /** The PVCs' StorageClass as the stack made them; a change is refused at preview. */
  readonly claimClass: ClaimClass;
  private readonly config: PlatformConfig;
  /** Which way out each published port takes (`kubernetes.expose` and its switches). */
  private readonly exposed: Exposure;
  private readonly name: string;
  /** Docker on this machine, which builds and pushes the lab's own images; made on first use. */
  private builder?: dockerBuild.Provider;
  /** Every workload deployed so far, with its component: the NetworkPolicies need them all. */
  private readonly deployed: { spec: WorkloadSpec; parent: pulumi.Resource }[] = [];

  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:platform:Kubernetes", name, {}, opts);
    this.config = args.config;
    this.exposed = exposure(args.config.kubernetes);
    this.name = name;
    const kc = args.config.kubernetes;
    const cluster = {
      ...(kc.kubeconfig ? { kubeconfig: kc.kubeconfig } : {}),
      ...(kc.context ? { context: kc.context } : {}),
    };
    this.provider = new k8s.Provider(name, cluster, { parent: this });
    // What `pulumi destroy` keeps (the namespace, the PVCs) is still in the cluster on the next
    // `pulumi up`, where a plain create fails with AlreadyExists (pulumi-kubernetes ≥ 4.29 creates
    // client-side). These objects alone go through a provider that adopts an existing object; the
    // rest stays strict, since upserting under a renamed resource would delete what it adopted.
    this.keptProvider = new k8s.Provider(
      `${name}-kept`,
      { ...cluster, upsertExistingObjects: true },
      { parent: this },
    );
    // Never deleted, whatever retainDataOnDestroy says: the namespace may be one the lab adopted
    // (the kept provider upserts) with other people's objects in it, and deleting a namespace
    // deletes everything in it. Without retention the lab's own objects go one by one; the empty
    // namespace stays for `kubectl delete namespace`.
    this.namespace = new k8s.core.v1.Namespace(
      name,
      { metadata: { name: kc.namespace, labels: labels("namespace", args.config.stack) } },
      { parent: this, provider: this.keptProvider, retainOnDelete: true },
    );
    this.claimClass = new ClaimClass(
      "storage-class",
      { storageClass: kc.storageClass ?? "" },
      { parent: this, provider: new DynamicProvider(`${name}-storage-class`, { parent: this }) },
    );
    this.registerOutputs({ namespace: this.namespace.metadata.name });
  }

  deploy(spec: WorkloadSpec, parent: pulumi.Resource): Workload {
    checkWorkload(spec, parent);
    this.deployed.push({ spec, parent });
    const opts = { parent, provider: this.provider };
    const stack = this.config.stack;
    const namespace = this.namespace.metadata.name;
    const meta = (name?: string) => ({
      ...(name ? { name } : {}),
      namespace,
      labels: labels(spec.service, stack),
    });
    const { plain, secret } = splitFiles(spec.files);

    // Autonamed, so a changed credential or file gives a new name and rolls the pods.
    const secretData: Record<string, pulumi.Input<string>> = {};
    for (const [k, v] of Object.entries(spec.secretEnv ?? {})) secretData[envKey(k)] = v;
    for (const f of secret) secretData[fileKey(f.path)] = f.content;
    const secretObj =
      Object.keys(secretData).length > 0
        ? new k8s.core.v1.Secret(
            spec.service,
            { metadata: meta(), type: "Opaque", stringData: secretData },
            opts,
          )
        : undefined;
    const configMap =
      plain.length > 0
        ? new k8s.core.v1.ConfigMap(
            spec.service,
            {
              metadata: meta(),
              data: Object.fromEntries(plain.map((f) => [fileKey(f.path), f.content])),
            },
            opts,
          )
        : undefined;
    const claims = Object.fromEntries(
      (spec.volumes ?? []).map((v) => {
        const pvc = new k8s.core.v1.PersistentVolumeClaim(
          `${spec.service}-${v.name}`,
          {
            metadata: meta(`${spec.service}-${v.name}`),
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(this.config.kubernetes.storageClass
                ? { storageClassName: this.config.kubernetes.storageClass }
                : {}),
              resources: { requests: { storage: v.size } },
            },
          },
          {
            ...opts,
            provider: this.keptProvider,
            retainOnDelete: this.config.retainDataOnDestroy,
            dependsOn: [this.claimClass],
          },
        );
        return [v.name, pvc.metadata.name];
      }),
    );

    const replicas = spec.replicas ?? 1;
    const pod = podSpec(spec, {
      secretName: secretObj?.metadata.name,
      configMapName: configMap?.metadata.name,
      claims,
    });
    const template = {
      metadata: { labels: labels(spec.service, stack) },
      spec: replicas > 1 ? { ...pod, affinity: spreadOverNodes(spec.service, stack) } : pod,
    };
    const selector = { matchLabels: selectorLabels(spec.service, stack) };
    // A workload nobody connects to (the Prefect worker) gets no Service.
    const service =
      (spec.ports ?? []).length === 0
        ? undefined
        : new k8s.core.v1.Service(
            spec.service,
            {
              metadata: meta(spec.service),
              spec: {
                type: "ClusterIP",
                // A StatefulSet's governing Service is headless: its name resolves to the pod.
                ...(Object.keys(claims).length > 0 ? { clusterIP: "None" } : {}),
                selector: selectorLabels(spec.service, stack),
                ports: (spec.ports ?? []).map((p) => ({
                  name: p.name,
                  port: p.port,
                  targetPort: p.name,
                })),
              },
            },
            opts,
          );
    const workload =
      Object.keys(claims).length > 0
        ? new k8s.apps.v1.StatefulSet(
            spec.service,
            {
              metadata: { ...meta(spec.service), ...exceptionAnnotations(spec) },
              // At most 1 (workloadRules); 0 keeps the claims and stops the pod, as on Docker.
              spec: { replicas: spec.replicas ?? 1, serviceName: spec.service, selector, template },
            },
            { ...opts, dependsOn: spec.startAfter && [...spec.startAfter] },
          )
        : new k8s.apps.v1.Deployment(
            spec.service,
            {
              metadata: { ...meta(spec.service), ...exceptionAnnotations(spec) },
              spec: { replicas: spec.replicas ?? 1, selector, template },
            },
            { ...opts, dependsOn: spec.startAfter && [...spec.startAfter] },
          );

    if (replicas > 1) {
      // A drain takes one copy at a time: the others keep their executors and the work on them.
      new k8s.policy.v1.PodDisruptionBudget(
        spec.service,
        { metadata: meta(spec.service), spec: { maxUnavailable: 1, selector } },
        opts,
      );
    }

    const publishedPorts = (spec.ports ?? []).filter((p) => p.publish);
    const published: pulumi.Resource[] = [];
    const onNodePort = publishedPorts.filter((p) => this.exposed.nodePort(p.publish!));
    if (onNodePort.length > 0) {
      const nodePort = new k8s.core.v1.Service(
        `${spec.service}-nodeport`,
        {
          metadata: meta(`${spec.service}-nodeport`),
          spec: {
            type: "NodePort",
            selector: selectorLabels(spec.service, stack),
            ports: onNodePort.map((p) => ({
              name: p.name,
              port: p.port,
              targetPort: p.name,
              nodePort: p.publish!.nodePort,
            })),
          },
        },
        opts,
      );
      published.push(nodePort);
    }
    const kc = this.config.kubernetes;
    for (const p of publishedPorts.filter((q) => this.exposed.ingress(q.publish!))) {
      const host = `${p.publish!.urlKey}.${kc.ingressDomain}`;
      const ingress = new k8s.networking.v1.Ingress(
        p.publish!.urlKey,
        {
          metadata: {
            ...meta(p.publish!.urlKey),
            ...(kc.clusterIssuer
              ? { annotations: { "cert-manager.io/cluster-issuer": kc.clusterIssuer } }
              : {}),
          },
          spec: {
            ...(kc.ingressClassName ? { ingressClassName: kc.ingressClassName } : {}),
            ...(kc.plainHttp
              ? {}
              : {
                  // cert-manager writes each host's certificate into its own Secret.
                  tls: [{ hosts: [host], secretName: kc.tlsSecret ?? `${p.publish!.urlKey}-tls` }],
                }),
            rules: [
              {
                host,
                http: {
                  paths: [
                    {
                      path: "/",
                      pathType: "Prefix",
                      backend: { service: { name: spec.service, port: { name: p.name } } },
                    },
                  ],
                },
              },
            ],
          },
        },
        opts,
      );
      published.push(ingress);
    }

    const ready = service ? [workload, service] : [workload];
    return {
      host: spec.service,
      ready,
      publishedReady: [...ready, ...published],
      ...workloadAddresses(spec, (p) => this.endpoint(p)),
      memoryMiB: spec.memoryMiB * (spec.replicas ?? 1),
    };
  }

  /**
   * Default-deny for the lab's pods, and one NetworkPolicy per workload (beside its other objects)
   * allowing exactly its declared connections and published ports.
   */
  isolate(parent: pulumi.Resource): void {
    let lists;
    try {
      lists = allowLists(
        this.deployed.map((d) => d.spec),
        (p) => this.exposed.nodePort(p) || this.exposed.ingress(p),
      );
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, parent);
    }
    const stack = this.config.stack;
    const namespace = this.namespace.metadata.name;
    new k8s.networking.v1.NetworkPolicy(
      "default-deny",
      {
        metadata: { name: "default-deny", namespace, labels: labels("default-deny", stack) },
        spec: defaultDenySpec(stack),
      },
      { parent, provider: this.provider },
    );
    lists.forEach((list, i) => {
      new k8s.networking.v1.NetworkPolicy(
        list.service,
        {
          metadata: { name: list.service, namespace, labels: labels(list.service, stack) },
          spec: networkPolicySpec(list, stack),
        },
        { parent: this.deployed[i].parent, provider: this.provider },
      );
    });
  }

  /**
   * The cluster pulls the lab's own images: built here and pushed to `images.registry` (tagged with
   * the hash of what the build reads, referenced by digest), or a prebuilt reference from config.
   */
  image(spec: ImageBuildSpec, parent: pulumi.Resource): BuiltImage {
    if (spec.prebuilt) return { ref: pulumi.output(spec.prebuilt), local: false };
    const registry = this.config.images.registry;
    if (!registry) {
      // parseConfig refuses this combination; reaching it is a bug, not a config error.
      throw new pulumi.ResourceError(`no registry for image ${spec.name}`, parent);
    }
    this.builder ??= builderProvider(`${this.name}-builder`, this.config.docker.host, this);
    const image = buildImage(
      spec,
      { repository: `${registry}/dataflow-lab-${spec.name}`, push: true },
      { parent, provider: this.builder },
    );
    // `<tag>@<digest>`: the pods run exactly what was pushed.
    return { ref: image.ref, local: false };
  }

  endpoint(publish: PublishSpec): ExternalEndpoint {
    const kc = this.config.kubernetes;
    // `pulumi up` reaches MinIO's API on its NodePort, even when an Ingress also carries it.
    if (publish.deployer) return endpointAt(kc.nodeAddress, publish.nodePort, publish);
    if (this.exposed.ingress(publish)) {
      const host = `${publish.urlKey}.${kc.ingressDomain}`;
      const scheme = kc.plainHttp ? "http" : "https";
      return {
        host,
        port: kc.plainHttp ? 80 : 443,
        url: `${scheme}://${host}${publish.path ?? ""}`,
      };
    }
    if (this.exposed.nodePort(publish))
      return endpointAt(kc.nodeAddress, publish.nodePort, publish);
    // Not exposed: `kubectl port-forward svc/<service> <host port>:<port>` makes it local.
    return endpointAt("localhost", publish.hostPort, publish);
  }
}
