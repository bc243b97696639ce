import type * as pulumi from "@pulumi/pulumi";
import {
  clientEnv,
  type ClientEnv,
  type ClientService,
  type ClientSettings,
} from "./clientSettings";
import type { Spark } from "./compute/spark";
import type { LabConfig } from "./config";
import type { BuiltImage, Platform } from "./platform/types";
import { needs, type Passwords, type Service, type ServiceAccess } from "./service";
import type { Minio } from "./storage/minio";
import type { Postgres } from "./storage/postgres";

/**
 * A service as one module, declared beside its component: what it needs from the lab (`access`),
 * what it gives the lab's clients (`offers`, known before anything is deployed: a workload's host
 * is its service name), and how it is built from the lab's shared parts (`deploy`). The lab
 * deploys each module whose toggle is on, in the order of its list (labServices.ts), and derives
 * every list it keeps (databases, identities, passwords, credentials, client settings, endpoints,
 * URLs, the dashboard's health checks, the memory budget) from the modules and what they deployed.
 */
export interface ServiceModule {
  readonly access: ServiceAccess;
  /** Client settings it provides, from the lab's generated passwords. */
  readonly offers?: (passwords: Passwords) => Partial<ClientSettings>;
  /** Its address inside the lab's network, in the `endpoints` output. */
  readonly endpoint?: string;
  /** Builds it: called only while its toggle is on. */
  readonly deploy: (lab: LabParts) => Service;
}

/** What the lab hands every module: where it runs, its secrets, and the core services. */
export interface LabParts {
  /** Prefix of every component's name (`${name}-mlflow`). */
  readonly name: string;
  readonly config: LabConfig;
  readonly platform: Platform;
  /** The lab as the parent of each service's component. */
  readonly child: pulumi.ComponentResourceOptions;
  /** Every generated password and key the services on declared, by name. */
  readonly passwords: Passwords;
  /** The lab's own image (images/lab-runtime), for the Python services. */
  readonly runtime: BuiltImage;
  readonly minio: Minio;
  /** MinIO ready with its buckets and identities: what a user of the lake starts after. */
  readonly lake: readonly pulumi.Resource[];
  readonly spark: Spark;
  /** Where clients find everything (what the modules on offer, and the core's). */
  readonly settings: ClientSettings;
  /** A client's environment: the lake as MinIO identity `identity`, and the services it `uses`. */
  client(identity: string, uses: readonly ClientService[]): ClientEnv;
  /** The lab's PostgreSQL, for `consumer`; an error naming both when no database was declared. */
  database(consumer: string): Postgres;
  /** The service module `name` deployed; an error naming both when it is off. */
  service(name: string, consumer: string): Service;
  /** Every service deployed before this one, in order (the dashboard polls them). */
  readonly deployed: readonly Service[];
}

/** What the lab's core provides: {@link LabParts} but what deployModules derives from it. */
export type CoreParts = Omit<LabParts, "service" | "deployed" | "client" | "database"> & {
  /** Absent when no service on declared a database. */
  readonly postgres?: Postgres;
};

/**
 * Deploys `modules` one after the other on the `core` services, each seeing those before it.
 * Returns every service, the core's first, in the order they were deployed.
 */
export function deployModules(
  modules: readonly ServiceModule[],
  parts: CoreParts,
  core: readonly Service[],
): Service[] {
  const byName = new Map<string, Service>();
  const deployed = [...core];
  for (const module of modules) {
    const service = module.deploy({
      ...parts,
      client: (identity, uses) =>
        clientEnv(parts.settings, parts.minio.credentials(identity), uses),
      database: (consumer) => needs(parts.postgres, "postgres", consumer),
      service: (name, consumer) => needs(byName.get(name), name, consumer),
      deployed: [...deployed],
    });
    byName.set(module.access.name, service);
    deployed.push(service);
  }
  return deployed;
}

/** The client settings `modules` offer, from the lab's generated `passwords`. */
export function offeredBy(
  modules: readonly ServiceModule[],
  passwords: Passwords,
): Partial<ClientSettings> {
  return Object.assign({}, ...modules.map((m) => m.offers?.(passwords) ?? {}));
}
