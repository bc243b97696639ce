import { serviceFile } from "../components/serviceFiles";
import { STOP_GRACE_SECONDS } from "../components/platform/health";
import { MOCK_SECRET_MARKER } from "../scripts/evaluate";
import { dependsOn, isSecret, one, ofType, runProgram, unsecret, type ProgramRun } from "./harness";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const BUCKET = "pulumi-nodejs:dynamic/storage:LakeBucket";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("dev");
});

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
  it("registers one container per service, numbered Spark workers, and the lab's data volumes", () => {
    expect(ofType(run, CONTAINER).map((c) => c.inputs.name)).toEqual(
      [
        "jupyterhub",
        "kafka",
        "kafka-ui",
        "minio",
        "mlflow",
        "nifi",
        "postgres",
        "prefect-server",
        "prefect-worker",
        "spark-master",
        "spark-worker-1",
        "spark-worker-2",
        "streamlit",
      ].map((s) => `dataflow-lab-dev-${s}`),
    );
    expect(ofType(run, VOLUME).map((v) => v.name)).toEqual([
      "jupyterhub-home",
      "kafka-data",
      "minio-data",
      "nifi-conf",
      "nifi-content-repository",
      "nifi-database-repository",
      "nifi-flowfile-repository",
      "nifi-provenance-repository",
      "nifi-state",
      "postgres-data",
    ]);
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
    const images = ofType(run, "docker:index/remoteImage:RemoteImage");
    expect(Object.fromEntries(images.map((i) => [i.name, i.inputs.name]))).toEqual({
      kafka: "apache/kafka:4.4.0",
      "kafka-ui": "ghcr.io/kafbat/kafka-ui:v1.5.0",
      minio: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
      nifi: "apache/nifi:2.11.0",
      postgres: "postgres:17.11-bookworm",
    });
    // Every Python service runs the one lab runtime image.
    for (const c of [
      "spark-master",
      "spark-worker-1",
      "spark-worker-2",
      "jupyterhub",
      "mlflow",
      "prefect-server",
      "prefect-worker",
      "streamlit",
    ]) {
      expect(one(run, CONTAINER, c).inputs.image).toBe(built[0].inputs.tags[0]);
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
    for (const service of ["postgres", "minio"]) {
      const c = one(run, CONTAINER, service);
      expect(c.inputs.name).toBe(`dataflow-lab-dev-${service}`);
      expect(c.inputs.networksAdvanced).toEqual([{ name: "dataflow-lab-dev", aliases: [service] }]);
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

  it("publishes every UI at the seed's port, on 127.0.0.1 only", () => {
    const published = Object.fromEntries(
      ofType(run, CONTAINER).map((c) => [
        c.name,
        (c.inputs.ports as { internal: number; external: number; ip: string }[]).map(
          (p) => `${p.ip}:${p.external}->${p.internal}`,
        ),
      ]),
    );
    expect(published).toEqual({
      jupyterhub: ["127.0.0.1:8000->8000"],
      kafka: ["127.0.0.1:29092->29092"],
      "kafka-ui": ["127.0.0.1:8090->8090"],
      minio: ["127.0.0.1:9000->9000", "127.0.0.1:9001->9001"],
      mlflow: ["127.0.0.1:5000->5000"],
      nifi: ["127.0.0.1:8443->8443"],
      postgres: [],
      "prefect-server": ["127.0.0.1:4200->4200"],
      "prefect-worker": [],
      "spark-master": ["127.0.0.1:8080->8080"],
      "spark-worker-1": [],
      "spark-worker-2": [],
      streamlit: ["127.0.0.1:8501->8501"],
    });
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
    expect(e.LAB_DATABASES).toBe("jupyterhub mlflow prefect");
    expect(e.LAB_DB_EXTENSIONS_PREFECT).toBe("pg_trgm");
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
    const [script, ...passwords] = [...unsecret(c.inputs.uploads)].reverse();
    expect(script).toEqual({
      file: "/usr/local/bin/dataflow-lab-ensure-databases",
      content: serviceFile("postgres/ensure-databases.sh"),
      permissions: "0755",
    });
    expect(passwords.map((u: { file: string }) => u.file).sort()).toEqual([
      "/run/secrets/postgres/databases/jupyterhub",
      "/run/secrets/postgres/databases/mlflow",
      "/run/secrets/postgres/databases/prefect",
      "/run/secrets/postgres/superuser-password",
    ]);
  });

  it("uploads a file holding a key readable by root's group only, and puts that container's user in the group", () => {
    let holders = 0;
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
      holders += keyed.length ? 1 : 0;
    }
    // MinIO, PostgreSQL, MLflow, the two Spark roles (two workers), the Prefect worker, JupyterHub.
    expect(holders).toBe(8);
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

  it("creates the medallion buckets plus MLflow's, versions bronze, and keeps them on destroy", () => {
    expect(ofType(run, BUCKET).map((b) => b.inputs.bucket)).toEqual([
      "bronze",
      "gold",
      "mlflow",
      "silver",
    ]);
    for (const b of ofType(run, BUCKET)) expect(b.retainOnDelete).toBe(true);
    expect(
      one(run, "minio:index/s3BucketVersioning:S3BucketVersioning", "bronze").inputs,
    ).toMatchObject({
      bucket: "bronze",
      versioningConfiguration: { status: "Enabled" },
    });
  });

  it("gives each consumer its own MinIO user and a policy scoped to its buckets", () => {
    const policy = (name: string) =>
      JSON.parse(one(run, "minio:index/iamPolicy:IamPolicy", name).inputs.policy) as {
        Statement: { Action: string[]; Resource: string[] }[];
      };
    const resources = (name: string, action: string) =>
      policy(name)
        .Statement.filter((s) => s.Action.includes(action))
        .flatMap((s) => s.Resource)
        .sort();
    expect(resources("spark", "s3:PutObject")).toEqual([
      "arn:aws:s3:::bronze/*",
      "arn:aws:s3:::gold/*",
      "arn:aws:s3:::silver/*",
    ]);
    expect(resources("mlflow", "s3:PutObject")).toEqual(["arn:aws:s3:::mlflow/*"]);
    expect(resources("streamlit", "s3:PutObject")).toEqual([]);
    expect(resources("streamlit", "s3:GetObject")).toEqual(["arn:aws:s3:::gold/*"]);
    for (const name of ["mlflow", "spark", "streamlit"]) {
      const att = one(run, "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment", name);
      expect(att.inputs).toEqual({ userName: name, policyName: `dataflow-lab-${name}` });
    }
  });

  it("exports every service's URL at the seed's ports, and the internal endpoints", () => {
    expect(run.outputs.urls).toEqual({
      value: {
        jupyterhub: "http://localhost:8000",
        kafka: "localhost:29092",
        "kafka-ui": "http://localhost:8090",
        "minio-api": "http://localhost:9000",
        "minio-console": "http://localhost:9001",
        mlflow: "http://localhost:5000",
        nifi: "https://localhost:8443/nifi",
        prefect: "http://localhost:4200",
        "spark-ui": "http://localhost:8080",
        streamlit: "http://localhost:8501",
      },
      secret: false,
    });
    expect(run.outputs.endpoints.value).toEqual({
      kafka: "kafka:9092",
      mlflow: "http://mlflow:5000",
      postgres: "postgres:5432",
      prefect: "http://prefect-server:4200/api",
      s3: "http://minio:9000",
      "spark-master": "spark://spark-master:7077",
    });
    expect(run.outputs.target.value).toBe("docker");
  });
});

describe("dev stack config overrides", () => {
  it("extra buckets are created and granted to the spark identity only", async () => {
    const r = await runProgram("dev", { minio: { buckets: ["raw-events", "scratch"] } });
    expect(ofType(r, BUCKET).map((b) => b.name)).toEqual([
      "bronze",
      "gold",
      "mlflow",
      "raw-events",
      "scratch",
      "silver",
    ]);
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
