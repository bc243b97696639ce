/**
 * A recording `Platform` for component tests: it keeps every `WorkloadSpec` a component hands it and
 * answers with the addresses a real platform would give (service name as host, published ports on
 * localhost at the Docker seed's host port), so one component can be checked without the lab, the
 * Docker or Kubernetes resources, or a whole-program evaluation.
 */
import * as pulumi from "@pulumi/pulumi";
import { allowLists, type AllowList } from "../components/platform/allowList";
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
} from "../components/platform/types";

/** One `deploy` call as the fake saw it. */
export interface Deployed {
  readonly spec: WorkloadSpec;
  /** The component that deployed it (the platform's children are parented to it). */
  readonly parent: pulumi.Resource;
  readonly workload: Workload;
}

export class FakePlatform implements Platform {
  readonly target: "docker" | "kubernetes";
  /** Every deployed workload, by service name, in deploy order. */
  readonly deployed = new Map<string, Deployed>();
  /** Every image asked for, by name. */
  readonly images = new Map<string, ImageBuildSpec>();
  /** The allow-lists `isolate` derived, as both real platforms check them. */
  allowLists?: AllowList[];

  constructor(target: "docker" | "kubernetes" = "docker") {
    this.target = target;
  }

  deploy(spec: WorkloadSpec, parent: pulumi.Resource): Workload {
    if (this.deployed.has(spec.service)) {
      throw new Error(`FakePlatform: service ${spec.service} deployed twice`);
    }
    const workload: Workload = {
      host: spec.service,
      ready: [],
      publishedReady: [],
      ...workloadAddresses(spec, (p) => this.endpoint(p)),
      // What both real platforms allot: every copy counts.
      memoryMiB: spec.memoryMiB * (spec.replicas ?? 1),
    };
    this.deployed.set(spec.service, { spec, parent, workload });
    return workload;
  }

  image(spec: ImageBuildSpec): BuiltImage {
    this.images.set(spec.name, spec);
    return { ref: pulumi.output(spec.prebuilt ?? `fake/${spec.name}`), local: !spec.prebuilt };
  }

  endpoint(publish: PublishSpec): ExternalEndpoint {
    return endpointAt("localhost", publish.hostPort, publish);
  }

  isolate(): void {
    this.allowLists = allowLists([...this.deployed.values()].map((d) => d.spec));
  }

  /** The spec of a deployed service; fails naming what was deployed when it is missing. */
  spec(service: string): WorkloadSpec {
    const d = this.deployed.get(service);
    if (!d) {
      throw new Error(`no workload ${service}; deployed: ${[...this.deployed.keys()].join(", ")}`);
    }
    return d.spec;
  }
}
