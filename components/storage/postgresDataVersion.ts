import * as pulumi from "@pulumi/pulumi";

/** What {@link PostgresDataVersion} records: the major version the kept data was written by. */
export interface PostgresDataVersionInputs {
  /** PostgreSQL's major version of the image, e.g. 17. */
  readonly major: number;
  /** `postgres.allowMajorChange`: the user has moved the data to the new major themselves. */
  readonly allowMajorChange: boolean;
}

/**
 * The refusal of a major change, at `check`: the engine calls it with the recorded inputs and the
 * new ones during the preview, before any resource is created or replaced, so a new major never
 * reaches the server. PostgreSQL's data directory is readable only by the major that wrote it
 * ("database files are incompatible with server"), and the image has no in-place upgrade.
 */
export function postgresDataVersionProvider(): pulumi.dynamic.ResourceProvider {
  return {
    async check(olds: Partial<PostgresDataVersionInputs>, news: PostgresDataVersionInputs) {
      const failures =
        olds.major !== undefined && olds.major !== news.major && !news.allowMajorChange
          ? [{ property: "major", reason: majorChangeRefusal(olds.major, news.major) }]
          : [];
      return { inputs: news, failures };
    },
    async create(i: PostgresDataVersionInputs) {
      return { id: "postgres-data", outs: i };
    },
    async diff(_id: string, olds: PostgresDataVersionInputs, news: PostgresDataVersionInputs) {
      return {
        changes: olds.major !== news.major || olds.allowMajorChange !== news.allowMajorChange,
      };
    },
    async update(_id: string, _olds: PostgresDataVersionInputs, news: PostgresDataVersionInputs) {
      return { outs: news };
    },
  };
}

/** The error a refused major change shows: the key, the value and what is allowed. */
export function majorChangeRefusal(recorded: number, wanted: number): string {
  return (
    `postgres.image is PostgreSQL ${wanted}, but this stack's PostgreSQL data was written by ` +
    `PostgreSQL ${recorded}, which ${wanted} cannot open. Keep postgres.image at a ${recorded}.x ` +
    `tag, or move the data to ${wanted} first (docs/lifecycle.md: "Upgrading PostgreSQL") and then set ` +
    `postgres.allowMajorChange to true for that one \`pulumi up\`.`
  );
}

const PROVIDER = postgresDataVersionProvider();

/**
 * The major version of PostgreSQL whose data the stack keeps: a change is refused at preview
 * (see {@link postgresDataVersionProvider}) unless `postgres.allowMajorChange`. The server's
 * container depends on it, so nothing of PostgreSQL's is touched before it passes.
 */
export class PostgresDataVersion extends pulumi.dynamic.Resource {
  declare readonly major: pulumi.Output<number>;

  constructor(name: string, args: PostgresDataVersionInputs, opts?: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { ...args }, opts, "storage", "PostgresDataVersion");
  }
}
