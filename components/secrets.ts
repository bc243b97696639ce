import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments for {@link LabSecrets}. */
export interface LabSecretsArgs {
  /** Databases that get a role password, e.g. `["mlflow", "prefect"]`. */
  readonly databases: readonly string[];
  /** MinIO identities that get a secret key, e.g. `["spark", "mlflow"]`. */
  readonly s3Identities: readonly string[];
  /** Other passwords and keys, by name, e.g. `["jupyterhub-admin"]` (32 letters and digits). */
  readonly passwords: readonly string[];
}

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

    // Only RandomPassword, whose `result` the random provider itself marks secret: a RandomString's
    // `result`, a RandomId's `hex` and `id`, and a RandomBytes' `id` (its base64 value) are stored
    // in plaintext in the state (the real-engine suite found each), and `pulumi.secret()` around
    // an output cannot change that. A key of another form is derived where it is used.
    this.minioRootUser = password("minio-root-user", 16, { upper: false });
    this.minioRootPassword = password("minio-root-password", 40);
    this.bucketKeeperSecret = password("s3-lab-buckets", 40);
    this.postgresPassword = password("postgres-superuser");
    this.databasePasswords = byName(args.databases, (db) => password(`db-${db}`));
    this.s3SecretKeys = byName(args.s3Identities, (id) => password(`s3-${id}`, 40));
    this.passwords = byName(args.passwords, (id) => password(id));
    this.registerOutputs({});
  }
}
