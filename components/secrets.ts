import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { LabAccess } from "./labAccess";

/** Arguments for {@link LabSecrets}: what the services on were given (labAccess.ts). */
export type LabSecretsArgs = LabAccess;

/**
 * Every credential of the lab, generated once by `@pulumi/random` and kept in the stack state as a
 * secret. Nothing has a default: regenerating means replacing the random resource on purpose.
 */
export class LabSecrets extends pulumi.ComponentResource {
  readonly minioRootUser: pulumi.Output<string>;
  readonly minioRootPassword: pulumi.Output<string>;
  /** Secret key of the identity the lake's buckets are managed with. */
  readonly bucketKeeperSecret: pulumi.Output<string>;
  readonly postgresPassword: pulumi.Output<string>;
  readonly databasePasswords: Readonly<Record<string, pulumi.Output<string>>>;
  readonly s3SecretKeys: Readonly<Record<string, pulumi.Output<string>>>;
  readonly passwords: Readonly<Record<string, pulumi.Output<string>>>;
  /** The lab's databases, each with its role's password. */
  readonly databases: readonly (LabAccess["databases"][number] & {
    password: pulumi.Output<string>;
  })[];
  /** The lab's MinIO identities, each with its secret key. */
  readonly identities: readonly (LabAccess["identities"][number] & {
    secretKey: pulumi.Output<string>;
  })[];

  constructor(name: string, args: LabSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:security:Secrets", name, {}, opts);
    // Explicit like every other provider: the project disables default providers.
    const provider = new random.Provider(name, {}, { parent: this });
    const child = { parent: this, provider };
    // Letters and digits only: the values travel through env files, URLs, sed (NiFi's start.sh) and
    // shell scripts unquoted.
    const password = (id: string, length = 32, extra: Partial<random.RandomPasswordArgs> = {}) =>
      pulumi.secret(
        new random.RandomPassword(id, { ...extra, length, special: false }, child).result,
      );
    const byName = (names: readonly string[], f: (n: string) => pulumi.Output<string>) =>
      Object.fromEntries([...names].sort().map((n) => [n, f(n)]));
    const names = (items: readonly { name: string }[]) => items.map((i) => i.name);

    // Only RandomPassword, whose `result` the random provider itself marks secret: a RandomString's
    // `result`, a RandomId's `hex` and `id`, and a RandomBytes' `id` (its base64 value) are stored
    // in plaintext in the state (the real-engine suite found each), and `pulumi.secret()` around
    // an output cannot change that. A key of another form is derived where it is used.
    this.minioRootUser = password("minio-root-user", 16, { upper: false });
    this.minioRootPassword = password("minio-root-password", 40);
    this.bucketKeeperSecret = password("s3-lab-buckets", 40);
    this.postgresPassword = password("postgres-superuser");
    this.databasePasswords = byName(names(args.databases), (db) => password(`db-${db}`));
    this.s3SecretKeys = byName(names(args.identities), (id) => password(`s3-${id}`, 40));
    this.passwords = byName(args.passwords, (id) => password(id));
    this.databases = args.databases.map((d) => ({
      ...d,
      password: this.databasePasswords[d.name],
    }));
    this.identities = args.identities.map((i) => ({ ...i, secretKey: this.s3SecretKeys[i.name] }));
    this.registerOutputs({});
  }
}
