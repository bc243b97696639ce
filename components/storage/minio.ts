import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import type { Workload } from "../platform/types";
import type { Service, StatefulServiceArgs } from "../service";
import { DynamicProvider, LakeBucket } from "./lakeBucket";
import { BUCKET_KEEPER_POLICY, bucketPolicy, type BucketAccess } from "./s3Policy";

/** A least-privilege MinIO user for one consumer. */
export interface IdentitySpec extends BucketAccess {
  /** User name, which is also its S3 access key (e.g. `spark`). */
  readonly name: string;
  /** Generated secret key. */
  readonly secretKey: pulumi.Input<string>;
}

/** Arguments for {@link Minio}. */
export interface MinioArgs extends StatefulServiceArgs {
  /** Image of an S3 server that speaks MinIO's admin API (users, policies). */
  readonly image: string;
  /**
   * Generated root user: the server reads it from a mounted secret file, and only `pulumi up`
   * (through the MinIO provider) logs in with it.
   */
  readonly rootUser: pulumi.Input<string>;
  /** Generated root password (MINIO_ROOT_PASSWORD_FILE's content). */
  readonly rootPassword: pulumi.Input<string>;
  /**
   * Generated secret key of {@link BUCKET_KEEPER}, the identity the buckets are managed with: the
   * root login stays with the MinIO provider (users, policies), out of every bucket's state.
   */
  readonly bucketKeeperSecret: pulumi.Input<string>;
  /** Buckets to create, in order: medallion, internal, then the user's extras. */
  readonly buckets: readonly string[];
  /** Buckets whose objects are versioned, so raw data is never overwritten silently. */
  readonly versionedBuckets: readonly string[];
  /** One user + policy per consumer; no service ever gets the root credentials. */
  readonly identities: readonly IdentitySpec[];
  /** Keep buckets (and their objects) when the stack is destroyed (`retainDataOnDestroy`). */
  readonly retainOnDestroy: boolean;
}

/** S3 credentials of one identity. */
export interface S3Credentials {
  /** Access key, the identity's user name. */
  readonly accessKey: string;
  /** Generated secret key (secret). */
  readonly secretKey: pulumi.Output<string>;
}

const API_PORT = 9000;
const CONSOLE_PORT = 9001;
/** The user (and access key) `pulumi up` creates, finds and deletes the lake's buckets as. */
export const BUCKET_KEEPER = "lab-buckets";
/** Where the root login is mounted (Docker's secrets directory), one file each. */
const ROOT_USER_FILE = "/run/secrets/minio/root-user";
const ROOT_PASSWORD_FILE = "/run/secrets/minio/root-password";

/**
 * The lab's object store: a MinIO server on a kept volume, then (through an explicit MinIO provider
 * that waits for the server's health check) its buckets, users and policies.
 * @see https://min.io/docs/minio/container/index.html
 */
export class Minio extends pulumi.ComponentResource implements Service {
  readonly workload: Workload;
  readonly workloads: readonly Workload[];
  /** Endpoint other services use, e.g. `http://minio:9000`. */
  readonly endpoint: string;
  readonly provider: minio.Provider;
  readonly buckets: Record<string, LakeBucket>;
  /** Buckets, users and policies: what a consumer of the lake needs to exist before it starts. */
  readonly lakeReady: pulumi.Resource[] = [];
  private readonly identities: ReadonlyMap<string, IdentitySpec>;

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:storage:Minio", name, {}, opts);
    this.identities = new Map(args.identities.map((i) => [i.name, i]));

    this.workload = args.platform.deploy(
      {
        service: "minio",
        image: args.image,
        // Without --console-address the console listens on a random port.
        command: ["server", "/data", "--console-address", `:${CONSOLE_PORT}`],
        // The server itself reads the root login from these files (readFromSecret in
        // cmd/common-main.go); a missing or empty file would leave MinIO's default login, which
        // the real-services suite checks is refused.
        // @see https://github.com/minio/minio/blob/RELEASE.2025-04-22T22-12-26Z/cmd/common-main.go
        env: {
          MC_CONFIG_DIR: "/tmp/.mc",
          MINIO_ROOT_USER_FILE: ROOT_USER_FILE,
          MINIO_ROOT_PASSWORD_FILE: ROOT_PASSWORD_FILE,
        },
        files: [
          { path: ROOT_USER_FILE, content: args.rootUser, secret: true },
          { path: ROOT_PASSWORD_FILE, content: args.rootPassword, secret: true },
        ],
        ports: [
          {
            name: "api",
            port: API_PORT,
            // Every request is signed with an S3 key; the MinIO provider of `pulumi up` uses it.
            publish: {
              hostPort: API_PORT,
              nodePort: 30900,
              scheme: "http",
              urlKey: "minio-api",
              login: true,
              minio: true,
              deployer: true,
            },
          },
          {
            name: "console",
            port: CONSOLE_PORT,
            publish: {
              hostPort: CONSOLE_PORT,
              nodePort: 30901,
              scheme: "http",
              urlKey: "minio-console",
              login: true,
              minio: true,
            },
          },
        ],
        volumes: [{ name: "data", mountPath: "/data", size: args.storageSize }],
        health: {
          command: ["mc", "ready", "local"],
          http: { path: "/minio/health/ready", port: API_PORT },
          liveness: { http: { path: "/minio/health/live", port: API_PORT } },
          // Up within seconds, so a start that fails counts sooner; `pulumi up` (the MinIO
          // provider, the buckets) waits for it.
          startPeriodSeconds: 10,
        },
        memoryMiB: args.memoryMiB,
        cpus: args.cpus,
        runAs: { user: 1000, group: 1000 },
        // The health check's mc writes its config to MC_CONFIG_DIR. The server also makes
        // ~/.minio/certs/CAs at start, but ignores a read-only or not permitted home (mkdirAllIgnorePerm,
        // which takes EROFS for a permission error, cmd/config-dir.go and cmd/xl-storage-errors.go).
        // @see https://github.com/minio/minio/blob/RELEASE.2025-04-22T22-12-26Z/cmd/config-dir.go
        writablePaths: ["/tmp"],
        startAfter: args.startAfter,
      },
      this,
    );
    this.workloads = [this.workload];
    this.endpoint = `http://${this.workload.host}:${API_PORT}`;

    // The provider talks to the API from the machine running Pulumi, so it uses the published
    // address, and it is configured only once the server's health check has passed and the path
    // to it (the published port, a NodePort Service or an Ingress) exists.
    const api = this.workload.external.api;
    const ready = this.workload.publishedReady;
    this.provider = new minio.Provider(
      name,
      {
        minioServer: `${api.host}:${api.port}`,
        minioUser: pulumi.secret(pulumi.output(args.rootUser)),
        minioPassword: pulumi.secret(pulumi.output(args.rootPassword)),
        minioSsl: false,
      },
      { parent: this, dependsOn: ready },
    );
    const opts2 = { parent: this, provider: this.provider, dependsOn: ready };

    // The buckets' own identity, allowed to keep buckets and nothing else (BUCKET_KEEPER_POLICY).
    const keeperAttached = iamIdentity(
      BUCKET_KEEPER,
      args.bucketKeeperSecret,
      BUCKET_KEEPER_POLICY,
      opts2,
      opts2,
    );

    // Buckets outlive the stack (retainDataOnDestroy) and a service switched off: the next
    // `pulumi up` adopts them with their objects (see LakeBucket).
    this.buckets = {};
    const bucketProvider = new DynamicProvider(name, { parent: this });
    for (const bucket of args.buckets) {
      this.buckets[bucket] = new LakeBucket(
        bucket,
        {
          bucket,
          server: `${api.host}:${api.port}`,
          accessKey: BUCKET_KEEPER,
          secretKey: pulumi.secret(pulumi.output(args.bucketKeeperSecret)),
        },
        {
          parent: this,
          provider: bucketProvider,
          dependsOn: [...ready, keeperAttached],
          retainOnDelete: args.retainOnDestroy,
        },
      );
    }
    for (const bucket of args.versionedBuckets) {
      new minio.S3BucketVersioning(
        bucket,
        { bucket: this.bucket(bucket).bucket, versioningConfiguration: { status: "Enabled" } },
        { ...opts2, retainOnDelete: args.retainOnDestroy },
      );
    }

    for (const identity of args.identities) {
      for (const b of [...identity.readWrite, ...identity.readOnly]) this.bucket(b);
      this.lakeReady.push(
        iamIdentity(identity.name, identity.secretKey, bucketPolicy(identity), opts2, {
          ...opts2,
          dependsOn: [...ready, ...Object.values(this.buckets)],
        }),
      );
    }

    this.lakeReady.push(...Object.values(this.buckets));
    this.registerOutputs({ endpoint: this.endpoint });
  }

  /** Credentials of one declared identity. */
  credentials(identity: string): S3Credentials {
    const i = this.identities.get(identity);
    if (!i) {
      throw new pulumi.ResourceError(
        `no MinIO identity ${JSON.stringify(identity)} was declared`,
        this,
      );
    }
    return { accessKey: i.name, secretKey: pulumi.secret(pulumi.output(i.secretKey)) };
  }

  private bucket(name: string): LakeBucket {
    const b = this.buckets[name];
    if (!b) {
      throw new pulumi.ResourceError(`bucket ${JSON.stringify(name)} is not declared`, this);
    }
    return b;
  }
}

/**
 * A MinIO user named `name` (also its access key) with a policy of its own, `dataflow-lab-<name>`,
 * attached to it; the attachment is made with `attachOpts`.
 */
function iamIdentity(
  name: string,
  secret: pulumi.Input<string>,
  policy: string,
  opts: pulumi.CustomResourceOptions,
  attachOpts: pulumi.CustomResourceOptions,
): minio.IamUserPolicyAttachment {
  const user = new minio.IamUser(
    name,
    { name, secret: pulumi.secret(pulumi.output(secret)) },
    opts,
  );
  const p = new minio.IamPolicy(name, { name: `dataflow-lab-${name}`, policy }, opts);
  return new minio.IamUserPolicyAttachment(
    name,
    { userName: user.name, policyName: p.name },
    attachOpts,
  );
}
