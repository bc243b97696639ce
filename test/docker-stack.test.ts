import { serviceFile } from "../components/serviceFiles";
import { STOP_GRACE_SECONDS } from "../components/platform/health";
import { MOCK_SECRET_MARKER } from "../scripts/evaluate";
import { LAB_SERVICES } from "../components/labServices";
import { isOn } from "../components/labAccess";
import { peerAt, type PublishSpec } from "../components/platform/types";
import { copies, declared, publishedPorts, volumesOf, type Declared } from "./declared";
import { dependsOn, isSecret, one, ofType, runProgram, unsecret, type ProgramRun } from "./harness";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const BUCKET = "pulumi-nodejs:dynamic/storage:LakeBucket";

let run: ProgramRun;
/** What the services declare: the rules below are derived from it, not from a list of them. */
let lab: Declared;
beforeAll(async () => {
  run = await runProgram("dev");
  lab = await declared("dev");
});

/** The URL a person opens for a port published at `host:port`. */
const urlAt = (host: string, port: number, p: PublishSpec) =>
  p.scheme ? `${p.scheme}://${host}:${port}${p.path ?? ""}` : `${host}:${port}`;

/** Env of a container as a map (the list is secret as a whole once any entry is). */
function env(c: { inputs: Record<string, any> }): Record<string, string> {
  return Object.fromEntries(
    (unsecret(c.inputs.envs) as string[]).map((e) => [
      e.slice(0, e.indexOf("=")),
      e.slice(e.indexOf("=") + 1),
    ]),
  );
}

describe("dev stack (Docker)", () => {
  it("registers one container per workload (numbered copies: Spark's workers), named dataflow-lab-<stack>-<host>, and a volume per declared data volume, named <service>-<volume>", () => {
    // Every workload the services declare is a host of the memoryLimitMiB output.
    expect(lab.workloads.map((s) => s.service).sort()).toEqual(
      Object.keys(run.outputs.memoryLimitMiB.value.services).sort(),
    );
    expect(
      ofType(run, CONTAINER)
        .map((c) => c.inputs.name)
        .sort(),
    ).toEqual(
      lab.workloads
        .flatMap(copies)
        .map((c) => `dataflow-lab-dev-${c}`)
        .sort(),
    );
    expect(
      ofType(run, VOLUME)
        .map((v) => v.name)
        .sort(),
    ).toEqual(lab.workloads.flatMap(volumesOf).sort());
    expect(ofType(run, "docker:index/network:Network")).toHaveLength(1);
    expect(ofType(run, "kubernetes:core/v1:Namespace")).toHaveLength(0);
  });

  it("builds the lab's own images into the Docker host with docker-build, tagged by content, and pulls the rest pinned", () => {
    const built = ofType(run, "docker-build:index:Image");
    expect(built.map((i) => [i.name, i.inputs.context, i.inputs.dockerfile])).toEqual([
      ["lab-runtime", { location: "." }, { location: "images/lab-runtime/Dockerfile" }],
    ]);
    for (const i of built) {
      expect(i.inputs).toMatchObject({ push: false, load: true, buildOnPreview: false });
      expect(i.inputs.tags).toEqual([
        expect.stringMatching(`^dataflow-lab/${i.name}:[0-9a-f]{12}$`),
      ]);
      expect(i.provider).toMatch(/pulumi:providers:docker-build::platform-builder::/);
    }
    // Each image a service names is pulled once, under the service's name, by a version tag (the
    // snapshot records which; docs/versions.md is written from the same pins).
    const images = ofType(run, "docker:index/remoteImage:RemoteImage");
    expect(Object.fromEntries(images.map((i) => [i.name, i.inputs.name]))).toEqual(
      Object.fromEntries(
        lab.workloads.flatMap((s) => (typeof s.image === "string" ? [[s.service, s.image]] : [])),
      ),
    );
    for (const i of images) expect(i.inputs.name).toMatch(/:(?!latest$)[\w.-]*\d[\w.-]*$/);
    // Every other service (the Python ones) runs the one lab runtime image.
    for (const s of lab.workloads) {
      for (const c of copies(s)) {
        expect([c, one(run, CONTAINER, c).inputs.image]).toEqual([
          c,
          typeof s.image === "string" ? `sha256:${s.service}` : built[0].inputs.tags[0],
        ]);
      }
    }
  });

  it("uses explicit providers everywhere: docker resources on the docker provider, lake objects on the MinIO provider, buckets on the dynamic provider", () => {
    for (const r of run.registrations.filter(
      (x) => x.custom && !x.type.startsWith("pulumi:providers:"),
    )) {
      const pkg = r.type.split(":")[0];
      expect({ resource: `${r.type}::${r.name}`, provider: r.provider }).toEqual({
        resource: `${r.type}::${r.name}`,
        provider: expect.stringMatching(new RegExp(`[:$]pulumi:providers:${pkg}::`)),
      });
    }
    const docker = one(run, "pulumi:providers:docker", "platform");
    expect(docker.inputs).not.toHaveProperty("host");
  });

  it("names containers dataflow-lab-<stack>-<service> on one bridge network, reachable by service name", () => {
    const net = one(run, "docker:index/network:Network", "platform");
    expect(net.inputs).toMatchObject({ name: "dataflow-lab-dev", driver: "bridge" });
    // Every container: a numbered copy is reachable by its service's name and its own.
    for (const c of ofType(run, CONTAINER)) {
      const service = (c.inputs.labels as { label: string; value: string }[]).find(
        (l) => l.label === "dataflow-lab.service",
      )!.value;
      const copy = c.inputs.name.replace(/^dataflow-lab-dev-/, "");
      expect([copy, copy === service || copy.startsWith(`${service}-`)]).toEqual([copy, true]);
      expect(c.inputs.networksAdvanced).toEqual([
        { name: "dataflow-lab-dev", aliases: copy === service ? [service] : [service, copy] },
      ]);
    }
  });

  it("every container has a health check it waits for, a restart policy, a memory limit and a pinned image", () => {
    for (const c of ofType(run, CONTAINER)) {
      expect(c.inputs.healthcheck.tests[0]).toBe("CMD");
      expect(c.inputs.wait).toBe(true);
      expect(c.inputs.waitTimeout).toBeGreaterThanOrEqual(60);
      expect(c.inputs.restart).toBe("unless-stopped");
      expect(c.inputs.memory).toBeGreaterThanOrEqual(128);
      // Pulled by image id, or the lab's own by its content tag.
      expect(c.inputs.image).toMatch(/^sha256:|^dataflow-lab\/[a-z-]+:[0-9a-f]{12}$/);
    }
    expect(one(run, "docker:index/remoteImage:RemoteImage", "postgres").inputs.name).toBe(
      "postgres:17.11-bookworm",
    );
    expect(one(run, "docker:index/remoteImage:RemoteImage", "minio").inputs.name).toBe(
      "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
    );
  });

  it("publishes exactly the declared ports, each at its host port on 127.0.0.1 only, from a workload's first copy", () => {
    const published = Object.fromEntries(
      ofType(run, CONTAINER).map((c) => [
        c.name,
        (c.inputs.ports as { internal: number; external: number; ip: string }[]).map(
          (p) => `${p.ip}:${p.external}->${p.internal}`,
        ),
      ]),
    );
    expect(published).toEqual(
      Object.fromEntries(
        lab.workloads.flatMap((s) =>
          copies(s).map((c, i) => [
            c,
            i > 0 ? [] : publishedPorts(s).map((p) => `127.0.0.1:${p.publish.hostPort}->${p.port}`),
          ]),
        ),
      ),
    );
  });

  it("replaces a changed container old-first, since its name and published ports are its own", () => {
    // Create-then-delete (Pulumi's default) fails on Docker with "name already in use" for any
    // changed container here: a rotated password or a toggled service could never be applied.
    const containers = ofType(run, CONTAINER);
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) {
      expect(c.inputs.name).toBe(`dataflow-lab-dev-${c.name}`);
      expect([c.name, c.deleteBeforeReplace]).toEqual([c.name, true]);
    }
  });

  it("stops a replaced or destroyed container cleanly before killing it; PostgreSQL gets longest", () => {
    // Without destroyGraceSeconds the provider force-removes at once: SIGKILL, which the postgres
    // image warns "is likely to cause data corruption".
    const grace = Object.fromEntries(
      ofType(run, CONTAINER).map((c) => [
        c.name,
        [c.inputs.destroyGraceSeconds, c.inputs.stopTimeout],
      ]),
    );
    for (const [name, [destroy, stop]] of Object.entries(grace)) {
      expect([name, destroy]).toEqual([name, stop]);
      expect([name, destroy]).toEqual([name, name === "postgres" ? 90 : STOP_GRACE_SECONDS]);
    }
  });

  it("keeps data volumes on destroy, and names them per stack", () => {
    for (const v of ofType(run, VOLUME)) {
      expect(v.retainOnDelete).toBe(true);
      expect(v.inputs.name).toBe(`dataflow-lab-dev-${v.name}`);
    }
    expect(one(run, CONTAINER, "minio").inputs.volumes).toEqual([
      { containerPath: "/data", volumeName: "dataflow-lab-dev-minio-data" },
    ]);
    expect(one(run, CONTAINER, "postgres").inputs.volumes).toEqual([
      { containerPath: "/var/lib/postgresql/data", volumeName: "dataflow-lab-dev-postgres-data" },
    ]);
  });

  it("runs MinIO with a fixed console port and a readiness check", () => {
    const c = one(run, CONTAINER, "minio");
    expect(c.inputs.command).toEqual(["server", "/data", "--console-address", ":9001"]);
    expect(c.inputs.healthcheck.tests).toEqual(["CMD", "mc", "ready", "local"]);
    expect(env(c)).toEqual({
      MC_CONFIG_DIR: "/tmp/.mc",
      MINIO_ROOT_PASSWORD_FILE: "/run/secrets/minio/root-password",
      MINIO_ROOT_USER_FILE: "/run/secrets/minio/root-user",
    });
    // The root login only in the files MinIO reads, uploaded as secrets.
    expect(isSecret(c.inputs.uploads)).toBe(true);
    expect(unsecret(c.inputs.uploads).map((u: { file: string }) => u.file)).toEqual([
      "/run/secrets/minio/root-user",
      "/run/secrets/minio/root-password",
    ]);
  });

  it("runs PostgreSQL with a database per consumer, checked over TCP by the mounted script", () => {
    const c = one(run, CONTAINER, "postgres");
    const e = env(c);
    const { databases } = lab.access;
    expect(e.LAB_DATABASES).toBe(databases.map((d) => d.name).join(" "));
    // Each database's extensions, for those that declare some (Prefect's pg_trgm).
    expect(
      Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith("LAB_DB_EXTENSIONS_"))),
    ).toEqual(
      Object.fromEntries(
        databases.flatMap((d) =>
          d.extensions?.length
            ? [[`LAB_DB_EXTENSIONS_${d.name.toUpperCase()}`, [...d.extensions].sort().join(" ")]]
            : [],
        ),
      ),
    );
    expect(e.PGDATA).toBe("/var/lib/postgresql/data/pgdata");
    // Passwords only in files: the image's entrypoint reads POSTGRES_PASSWORD_FILE, the script
    // a file per database.
    expect(Object.keys(e).filter((k) => /PASSWORD/.test(k))).toEqual([
      "LAB_DB_PASSWORD_DIR",
      "POSTGRES_PASSWORD_FILE",
    ]);
    expect(e.LAB_DB_PASSWORD_DIR).toBe("/run/secrets/postgres/databases");
    expect(c.inputs.healthcheck.tests).toEqual([
      "CMD",
      "/usr/local/bin/dataflow-lab-ensure-databases",
    ]);
    expect(isSecret(c.inputs.uploads)).toBe(true);
    const [script, schema, lineageSchema, ...passwords] = [...unsecret(c.inputs.uploads)].reverse();
    // The catalog's tables, which Spark's Hive client does not create, and the lineage service's
    // events table: the check creates each, once.
    expect(e.LAB_DB_SCHEMA_DIR).toBe("/etc/dataflow-lab/postgres/schemas");
    expect(schema).toEqual({
      file: "/etc/dataflow-lab/postgres/schemas/spark.sql",
      content: serviceFile("postgres/hive-metastore-schema.sql"),
      permissions: "0644",
    });
    expect(lineageSchema).toEqual({
      file: "/etc/dataflow-lab/postgres/schemas/lineage.sql",
      content: serviceFile("postgres/lineage-schema.sql"),
      permissions: "0644",
    });
    expect(script).toEqual({
      file: "/usr/local/bin/dataflow-lab-ensure-databases",
      content: serviceFile("postgres/ensure-databases.sh"),
      permissions: "0755",
    });
    expect(passwords.map((u: { file: string }) => u.file).sort()).toEqual(
      [
        ...databases.map((d) => `/run/secrets/postgres/databases/${d.name}`),
        "/run/secrets/postgres/superuser-password",
      ].sort(),
    );
  });

  it("uploads a file holding a key readable by root's group only, and puts that container's user in the group", () => {
    const holders: string[] = [];
    for (const c of ofType(run, CONTAINER)) {
      const uploads: { file: string; content: string; permissions: string }[] = unsecret(
        c.inputs.uploads ?? [],
      );
      // A generated credential is the mock's marked value; the MinIO user name is one too.
      const keyed = uploads.filter((u) => u.content.includes(MOCK_SECRET_MARKER));
      for (const u of uploads) {
        const modes = keyed.includes(u) ? ["0440", "0550"] : ["0644", "0755"];
        expect([c.name, u.file, modes.includes(u.permissions)]).toEqual([c.name, u.file, true]);
      }
      expect([c.name, c.inputs.groupAdds]).toEqual([c.name, keyed.length ? ["0"] : undefined]);
      if (keyed.length) holders.push(c.name);
    }
    // Exactly the containers of the services that declare a secret file: each holds a key.
    expect(holders.sort()).toEqual(
      lab.workloads
        .filter((s) => s.files?.some((f) => f.secret))
        .flatMap(copies)
        .sort(),
    );
  });

  it("talks to MinIO through the published API, only after the container is healthy", () => {
    const p = one(run, "pulumi:providers:minio", "lab-minio");
    expect(p.inputs.minioServer).toBe("localhost:9000");
    expect(p.inputs.minioSsl).toBe("false");
    expect(dependsOn(p, CONTAINER, "minio")).toBe(true);
    for (const b of ofType(run, BUCKET)) {
      expect(dependsOn(b, CONTAINER, "minio")).toBe(true);
    }
  });

  it("keeps the buckets as lab-buckets, which may create, list and delete buckets and nothing else; the root login stays with the MinIO provider", () => {
    const keeper = one(run, "minio:index/iamUser:IamUser", "lab-buckets");
    expect(keeper.inputs.name).toBe("lab-buckets");
    const attached = one(
      run,
      "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment",
      "lab-buckets",
    );
    expect(attached.inputs).toEqual({
      userName: "lab-buckets",
      policyName: "dataflow-lab-lab-buckets",
    });
    const policy = JSON.parse(
      one(run, "minio:index/iamPolicy:IamPolicy", "lab-buckets").inputs.policy,
    );
    expect(policy.Statement.flatMap((st: { Action: string[] }) => st.Action).sort()).toEqual([
      "s3:CreateBucket",
      "s3:DeleteBucket",
      "s3:GetBucketLocation",
      "s3:ListBucket",
      "s3:ListBucketVersions",
    ]);
    const root = unsecret(one(run, "pulumi:providers:minio", "lab-minio").inputs.minioUser);
    for (const b of ofType(run, BUCKET)) {
      expect(b.inputs.accessKey).toBe("lab-buckets");
      expect(b.inputs.accessKey).not.toBe(root);
      expect(isSecret(b.inputs.secretKey)).toBe(true);
      expect(
        dependsOn(b, "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment", "lab-buckets"),
      ).toBe(true);
    }
  });

  it("creates every bucket the lab declares (the medallion layers, the services', minio.buckets), versions bronze, and keeps them on destroy", () => {
    expect(
      ofType(run, BUCKET)
        .map((b) => b.inputs.bucket)
        .sort(),
    ).toEqual([...lab.access.buckets].sort());
    for (const b of ofType(run, BUCKET)) expect(b.retainOnDelete).toBe(true);
    expect(
      one(run, "minio:index/s3BucketVersioning:S3BucketVersioning", "bronze").inputs,
    ).toMatchObject({
      bucket: "bronze",
      versioningConfiguration: { status: "Enabled" },
    });
  });

  it("gives each identity the services declare its own MinIO user and a policy scoped to its buckets", () => {
    const policy = (name: string) =>
      JSON.parse(one(run, "minio:index/iamPolicy:IamPolicy", name).inputs.policy) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
    const resources = (name: string, action: string) =>
      policy(name)
        .Statement.filter((s) => s.Action.includes(action))
        .flatMap((s) => s.Resource)
        .sort();
    const objects = (buckets: string[]) =>
      [...new Set(buckets)].map((b) => `arn:aws:s3:::${b}/*`).sort();
    const { identities } = lab.access;
    // Theirs, and the one that keeps the buckets.
    expect(ofType(run, "minio:index/iamUser:IamUser").map((u) => u.name)).toEqual(
      [...identities.map((i) => i.name), "lab-buckets"].sort(),
    );
    // What each may touch is its declaration (test/serviceAccess.test.ts has the lab's).
    for (const { name, readWrite, readOnly } of identities) {
      expect([name, resources(name, "s3:PutObject")]).toEqual([name, objects(readWrite)]);
      expect([name, resources(name, "s3:GetObject")]).toEqual([
        name,
        objects([...readWrite, ...readOnly]),
      ]);
      const att = one(run, "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment", name);
      expect(att.inputs).toEqual({ userName: name, policyName: `dataflow-lab-${name}` });
    }
  });

  it("exports a URL per published port, at the seed's ports, and the internal endpoints", () => {
    const published = lab.workloads.flatMap(publishedPorts);
    expect(run.outputs.urls).toEqual({
      value: Object.fromEntries(
        published.map((p) => [p.publish.urlKey, urlAt("localhost", p.publish.hostPort, p.publish)]),
      ),
      secret: false,
    });
    // Where the seed published a service, the lab keeps its port: its users' bookmarks and
    // scripts know them. (A service the seed did not have is not here.)
    const hostPorts = Object.fromEntries(
      published.map((p) => [p.publish.urlKey, p.publish.hostPort]),
    );
    expect(hostPorts).toMatchObject({
      jupyterhub: 8000,
      kafka: 29092,
      "kafka-ui": 8090,
      "minio-api": 9000,
      "minio-console": 9001,
      mlflow: 5000,
      nifi: 8443,
      prefect: 4200,
      "spark-ui": 8080,
      streamlit: 8501,
    });
    // The core's addresses (PostgreSQL's, as services declare databases), then each one a service
    // that is on declares.
    const endpoints = run.outputs.endpoints.value as Record<string, string>;
    expect(endpoints).toEqual({
      s3: "http://minio:9000",
      "spark-master": "spark://spark-master:7077",
      postgres: "postgres:5432",
      ...Object.fromEntries(
        LAB_SERVICES.filter((m) => isOn(m.access, lab.config) && m.endpoint).map((m) => [
          m.access.name,
          m.endpoint,
        ]),
      ),
    });
    // Each is a port a workload of the lab declares, under its service name.
    for (const [key, address] of Object.entries(endpoints)) {
      const { service, port } = peerAt(address);
      const ports = lab.workloads.find((s) => s.service === service)?.ports?.map((p) => p.port);
      expect([key, ports]).toEqual([key, expect.arrayContaining([port])]);
    }
    expect(run.outputs.target.value).toBe("docker");
  });
});

describe("dev stack config overrides", () => {
  it("extra buckets are created and granted to the spark identity only", async () => {
    const r = await runProgram("dev", { minio: { buckets: ["raw-events", "scratch"] } });
    const buckets = (x: ProgramRun) => ofType(x, BUCKET).map((b) => b.name);
    expect(buckets(r).sort()).toEqual([...buckets(run), "raw-events", "scratch"].sort());
    const sparkPolicy = one(r, "minio:index/iamPolicy:IamPolicy", "spark").inputs.policy as string;
    expect(sparkPolicy).toContain("arn:aws:s3:::raw-events/*");
    expect(one(r, "minio:index/iamPolicy:IamPolicy", "streamlit").inputs.policy).not.toContain(
      "raw-events",
    );
  });

  it("opting out of data retention lets destroy delete the volumes (MinIO's with every bucket) and empty buckets", async () => {
    const r = await runProgram("dev", { retainDataOnDestroy: false });
    expect(ofType(r, VOLUME).every((v) => !v.retainOnDelete)).toBe(true);
    expect(ofType(r, BUCKET).every((b) => !b.retainOnDelete)).toBe(true);
  });

  it("binds to another address and names another Docker host when asked", async () => {
    const r = await runProgram("dev", {
      docker: { bindAddress: "0.0.0.0", host: "ssh://lab@build-box", publishedHost: "build-box" },
    });
    expect(one(r, CONTAINER, "minio").inputs.ports.map((p: { ip: string }) => p.ip)).toEqual([
      "0.0.0.0",
      "0.0.0.0",
    ]);
    expect(one(r, "pulumi:providers:docker", "platform").inputs.host).toBe("ssh://lab@build-box");
    expect(one(r, "pulumi:providers:minio", "lab-minio").inputs.minioServer).toBe("build-box:9000");
    expect(r.outputs.urls.value["minio-console"]).toBe("http://build-box:9001");
  });

  it("sizes memory from config", async () => {
    const r = await runProgram("dev", {
      postgres: { memoryMiB: 1024 },
      minio: { memoryMiB: 2048 },
    });
    expect(one(r, CONTAINER, "postgres").inputs.memory).toBe(1024);
    expect(one(r, CONTAINER, "minio").inputs.memory).toBe(2048);
  });
});
