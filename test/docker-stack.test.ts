import { serviceFile } from "../components/serviceFiles";
import { dependsOn, one, ofType, runProgram, unsecret, type ProgramRun } from "./harness";

const CONTAINER = "docker:index/container:Container";
const VOLUME = "docker:index/volume:Volume";
const BUCKET = "minio:index/s3Bucket:S3Bucket";

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
  it("registers exactly the spine: network, Postgres, MinIO with its buckets and identities", () => {
    const custom = run.registrations
      .filter(
        (r) => r.custom && !r.type.startsWith("pulumi:providers:") && !r.type.startsWith("random:"),
      )
      .map((r) => `${r.type}::${r.name}`)
      .sort();
    expect(custom).toEqual(
      [
        "docker:index/network:Network::platform",
        `${CONTAINER}::minio`,
        `${CONTAINER}::postgres`,
        "docker:index/remoteImage:RemoteImage::minio",
        "docker:index/remoteImage:RemoteImage::postgres",
        `${VOLUME}::minio-data`,
        `${VOLUME}::postgres-data`,
        "minio:index/iamPolicy:IamPolicy::mlflow",
        "minio:index/iamPolicy:IamPolicy::spark",
        "minio:index/iamPolicy:IamPolicy::streamlit",
        "minio:index/iamUser:IamUser::mlflow",
        "minio:index/iamUser:IamUser::spark",
        "minio:index/iamUser:IamUser::streamlit",
        "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::mlflow",
        "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::spark",
        "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::streamlit",
        `${BUCKET}::bronze`,
        `${BUCKET}::gold`,
        `${BUCKET}::mlflow`,
        `${BUCKET}::silver`,
        "minio:index/s3BucketVersioning:S3BucketVersioning::bronze",
      ].sort(),
    );
    expect(ofType(run, "kubernetes:core/v1:Namespace")).toHaveLength(0);
  });

  it("uses explicit providers everywhere: docker resources on the docker provider, lake objects on the MinIO provider", () => {
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
      expect(c.inputs.image).toBe(`sha256:${c.name}`);
    }
    expect(one(run, "docker:index/remoteImage:RemoteImage", "postgres").inputs.name).toBe(
      "postgres:16.9-bookworm",
    );
    expect(one(run, "docker:index/remoteImage:RemoteImage", "minio").inputs.name).toBe(
      "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z",
    );
  });

  it("publishes only MinIO's API and console, on 127.0.0.1 at the seed's ports", () => {
    expect(one(run, CONTAINER, "minio").inputs.ports).toEqual([
      { internal: 9000, external: 9000, ip: "127.0.0.1", protocol: "tcp" },
      { internal: 9001, external: 9001, ip: "127.0.0.1", protocol: "tcp" },
    ]);
    expect(one(run, CONTAINER, "postgres").inputs.ports).toEqual([]);
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
    expect(Object.keys(env(c)).sort()).toEqual([
      "MC_CONFIG_DIR",
      "MINIO_ROOT_PASSWORD",
      "MINIO_ROOT_USER",
    ]);
  });

  it("runs PostgreSQL with a database per consumer, checked over TCP by the mounted script", () => {
    const c = one(run, CONTAINER, "postgres");
    const e = env(c);
    expect(e.LAB_DATABASES).toBe("jupyterhub mlflow prefect");
    expect(e.LAB_DB_EXTENSIONS_PREFECT).toBe("pg_trgm");
    expect(e.PGDATA).toBe("/var/lib/postgresql/data/pgdata");
    expect(
      Object.keys(e)
        .filter((k) => k.startsWith("LAB_DB_PASSWORD_"))
        .sort(),
    ).toEqual(["LAB_DB_PASSWORD_JUPYTERHUB", "LAB_DB_PASSWORD_MLFLOW", "LAB_DB_PASSWORD_PREFECT"]);
    expect(c.inputs.healthcheck.tests).toEqual([
      "CMD",
      "/usr/local/bin/dataflow-lab-ensure-databases",
    ]);
    expect(c.inputs.uploads).toEqual([
      {
        file: "/usr/local/bin/dataflow-lab-ensure-databases",
        content: serviceFile("postgres/ensure-databases.sh"),
        executable: true,
      },
    ]);
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

  it("creates the medallion buckets plus MLflow's, versions bronze, and keeps them on destroy", () => {
    expect(ofType(run, BUCKET).map((b) => b.inputs.bucket)).toEqual([
      "bronze",
      "gold",
      "mlflow",
      "silver",
    ]);
    for (const b of ofType(run, BUCKET)) {
      expect(b.inputs.forceDestroy).toBe(false);
      expect(b.retainOnDelete).toBe(true);
    }
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

  it("exports the seed's MinIO URLs and the internal endpoints", () => {
    expect(run.outputs.urls).toEqual({
      value: { "minio-api": "http://localhost:9000", "minio-console": "http://localhost:9001" },
      secret: false,
    });
    expect(run.outputs.endpoints.value).toEqual({
      postgres: "postgres:5432",
      s3: "http://minio:9000",
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

  it("opting out of data retention lets destroy delete volumes and (non-empty) buckets", async () => {
    const r = await runProgram("dev", { retainDataOnDestroy: false });
    expect(ofType(r, VOLUME).map((v) => v.retainOnDelete)).toEqual([false, false]);
    expect(
      ofType(r, BUCKET).every((b) => !b.retainOnDelete && b.inputs.forceDestroy === true),
    ).toBe(true);
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
