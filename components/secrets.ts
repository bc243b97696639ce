import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments for {@link LabSecrets}. */
export interface LabSecretsArgs {
  /** Databases that get a role password, e.g. `["mlflow", "prefect"]`. */
  readonly databases: readonly string[];
  /** MinIO identities that get a secret key, e.g. `["spark", "mlflow"]`. */
  readonly s3Identities: readonly string[];
}

/**
 * Every credential of the lab, generated once by `@pulumi/random` and kept in the stack state as a
 * secret. Nothing has a default: regenerating means replacing the random resource on purpose.
 */
export class LabSecrets extends pulumi.ComponentResource {
  readonly minioRootUser: pulumi.Output<string>;
  readonly minioRootPassword: pulumi.Output<string>;
  readonly postgresPassword: pulumi.Output<string>;
  readonly databasePasswords: Readonly<Record<string, pulumi.Output<string>>>;
  readonly s3SecretKeys: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: LabSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("dataflow:security:Secrets", name, {}, opts);
    // Explicit like every other provider: the project disables default providers.
    const provider = new random.Provider(name, {}, { parent: this });
    const child = { parent: this, provider };
    // Letters and digits only: the values travel through env files, URLs and shell scripts unquoted.
    const password = (id: string, length = 32) =>
      pulumi.secret(new random.RandomPassword(id, { length, special: false }, child).result);

    this.minioRootUser = pulumi.secret(
      new random.RandomString(
        "minio-root-user",
        { length: 16, special: false, upper: false },
        child,
      ).result,
    );
    this.minioRootPassword = password("minio-root-password", 40);
    this.postgresPassword = password("postgres-superuser");
    this.databasePasswords = Object.fromEntries(
      [...args.databases].sort().map((db) => [db, password(`db-${db}`)]),
    );
    this.s3SecretKeys = Object.fromEntries(
      [...args.s3Identities].sort().map((id) => [id, password(`s3-${id}`, 40)]),
    );
    this.registerOutputs({});
  }
}
