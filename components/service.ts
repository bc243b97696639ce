import * as pulumi from "@pulumi/pulumi";
import type { LabConfig } from "./config";
import type { Toggle } from "./config/schema";
import type { Platform, Workload } from "./platform/types";

/**
 * What every service component takes: where it runs, what it may use, and what it starts after.
 * Each component's `*Args` extends it (or {@link StatefulServiceArgs}) and adds its own fields.
 */
export interface ServiceArgs {
  /** Where the workloads run: a DockerPlatform or a KubernetesPlatform. */
  readonly platform: Platform;
  /**
   * Memory limit in MiB of the service's main container (a component with a second kind of
   * container, such as Spark's workers or Prefect's worker, takes that one's limit separately).
   * Kubernetes also requests it, so a node never overcommits the lab.
   */
  readonly memoryMiB: number;
  /** CPU limit in cores of the service's main container. */
  readonly cpus: number;
  /**
   * What must be ready before the service starts: other workloads' `ready`, MinIO's buckets and
   * users. Not Pulumi's `dependsOn` option: the component itself is created at once, and only its
   * workloads wait. @default []
   */
  readonly startAfter?: readonly pulumi.Resource[];
}

/** A service that keeps data on a volume. */
export interface StatefulServiceArgs extends ServiceArgs {
  /** Size of each data volume: the PVC's request on Kubernetes (Docker volumes have no size), e.g. "10Gi". */
  readonly storageSize: string;
}

/** What every service component exposes: the workloads the platform deployed for it. */
export interface Service {
  /** What the platform returned for each workload, in the order the component deployed them. */
  readonly workloads: readonly Workload[];
}

/**
 * A service `consumer` needs, which may be switched off: the service itself, or a clear error when
 * the consumer is on while it is off (the config's cross-field rules should have refused that
 * combination already; this is the last line, and it names both switches).
 */
export function needs<T>(service: T | undefined, name: string, consumer: string): T {
  if (service === undefined) {
    throw new pulumi.RunError(
      `${consumer} is switched on but needs ${name}, which is not deployed (switch ${consumer} off, or turn on what deploys ${name})`,
    );
  }
  return service;
}

/** The single login name of every web UI that has one (each with its own generated password). */
export const ADMIN = "admin";

/** Generated passwords and keys, by name (a secret each). */
export type Passwords = Readonly<Record<string, pulumi.Output<string>>>;

/**
 * What a service needs from the lab besides its wiring, declared beside its component: the lab
 * derives its databases, MinIO identities and buckets, generated passwords and the `credentials`
 * output from these declarations (labAccess.ts), for the services that are switched on.
 */
export interface ServiceAccess {
  /** Its name: also its database's and its MinIO identity's (and their credentials'). */
  readonly name: string;
  /** The config section whose `enabled` deploys it; unset, it is always deployed. */
  readonly toggle?: Toggle;
  /**
   * A database of its own on the lab's PostgreSQL, with these extensions, and the schema PostgreSQL
   * creates in it (a file under services/) when its consumer does not create its own tables.
   */
  readonly database?: { readonly extensions?: readonly string[]; readonly schemaFile?: string };
  /** A MinIO identity of its own, allowed only these buckets (no bucket creation, no admin API). */
  readonly identity?: {
    readonly readWrite: (config: LabConfig) => readonly string[];
    readonly readOnly?: readonly string[];
  };
  /** Buckets it brings besides the medallion layers and `minio.buckets`. */
  readonly buckets?: readonly string[];
  /** Generated passwords and keys it takes, by name (`<service>-<purpose>`). */
  readonly passwords?: readonly string[];
  /** Its logins in the `credentials` output, made from its passwords. */
  readonly credentials?: (passwords: Passwords) => Record<string, unknown>;
}

/** `user` with the password named `name`: a login of the `credentials` output. */
export function login(passwords: Passwords, name: string, user = ADMIN) {
  return { user, password: passwords[name] };
}
