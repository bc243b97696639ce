/**
 * Adding a service is a module and one wiring line: a fixture service the lab does not have (a BI
 * tool with a database, a read-only identity, a bucket of its own, a login, a published UI and a
 * health URL) is deployed on both stacks by passing its module in the list of services, with no
 * other change, and shows up in everything the lab derives: its secrets, database, identity and
 * bucket, the credentials, URLs, endpoints and memory outputs, the dashboard's health checks, and
 * on Kubernetes the NetworkPolicies that let it reach PostgreSQL and MinIO.
 */
import * as pulumi from "@pulumi/pulumi";
import { STREAMLIT } from "../components/apps/streamlit";
import { GOLD, type LabConfig } from "../components/config";
import { DataFlowLab } from "../components/lab";
import { LAB_SERVICES } from "../components/labServices";
import { createPlatform } from "../components/platform";
import { peerAt, type Workload } from "../components/platform/types";
import { ADMIN, login, type Service } from "../components/service";
import type { ServiceModule } from "../components/serviceModule";
import { construct, settle, type Constructed } from "./componentHarness";
import { unsecret, type Registration } from "./harness";

const PORT = 8088;

/** A Superset-like workload: just enough of a real service to go through every derived list. */
class Superset extends pulumi.ComponentResource implements Service {
  readonly workloads: readonly Workload[];
  constructor(name: string, lab: Parameters<ServiceModule["deploy"]>[0]) {
    super("dataflow:test:Superset", name, {}, lab.child);
    const database = lab.database("superset");
    const client = lab.client("superset", []);
    this.workloads = [
      lab.platform.deploy(
        {
          service: "superset",
          image: "apache/superset:6.0.0",
          env: { ...client.env, ADMIN_USERNAME: ADMIN },
          secretEnv: {
            ...client.secretEnv,
            SQLALCHEMY_DATABASE_URI: database.link("superset", "psycopg2").url,
            ADMIN_PASSWORD: lab.passwords["superset-admin"],
            SECRET_KEY: lab.passwords["superset-secret-key"],
          },
          connects: [peerAt(database.address), ...(client.network.connects ?? [])],
          ports: [
            {
              name: "http",
              port: PORT,
              publish: {
                hostPort: PORT,
                nodePort: 30088,
                scheme: "http",
                urlKey: "superset",
                login: true,
              },
            },
          ],
          health: {
            command: ["curl", "-fsS", `http://localhost:${PORT}/health`],
            http: { path: "/health", port: PORT },
          },
          memoryMiB: 512,
          cpus: 1,
          runAs: { user: 1000, group: 1000 },
          writablePaths: ["/tmp"],
          startAfter: [...database.workload.ready, ...lab.lake],
        },
        this,
      ),
    ];
    this.registerOutputs({});
  }
}

const SUPERSET: ServiceModule = {
  access: {
    name: "superset",
    database: { extensions: ["pg_stat_statements"] },
    identity: { readWrite: () => ["superset-exports"], readOnly: [GOLD] },
    buckets: ["superset-exports"],
    passwords: ["superset-admin", "superset-secret-key"],
    credentials: (p) => ({ superset: login(p, "superset-admin") }),
  },
  endpoint: `http://superset:${PORT}`,
  deploy: (lab) => new Superset(`${lab.name}-superset`, lab),
};

/** The wiring line: before the dashboard, which polls every service deployed before it. */
const WITH_SUPERSET = [...LAB_SERVICES.filter((m) => m !== STREAMLIT), SUPERSET, STREAMLIT];

const build = (config: LabConfig) =>
  new DataFlowLab("lab", {
    config,
    platform: createPlatform("platform", config),
    services: WITH_SUPERSET,
  });

/** Every input of a registration, secrets unwrapped, as text. */
const text = (r: Registration) => JSON.stringify(unsecret(r.inputs));

describe.each(["dev", "k8s"])("%s: a service added as a module", (stack) => {
  let lab: Constructed<DataFlowLab>;
  const named = (type: string, name: string) =>
    lab.registrations.filter((r) => r.type.endsWith(type) && r.name === name);
  beforeAll(async () => {
    lab = await construct(stack, {}, build);
  });

  it("gets its generated passwords, database role password and S3 key", () => {
    const passwords = lab.registrations
      .filter((r) => r.type === "random:index/randomPassword:RandomPassword")
      .map((r) => r.name);
    expect(passwords).toEqual(
      expect.arrayContaining([
        "superset-admin",
        "superset-secret-key",
        "db-superset",
        "s3-superset",
      ]),
    );
  });

  it("gets its bucket, and a MinIO identity scoped to its buckets", () => {
    expect(named("storage:LakeBucket", "superset-exports")).toHaveLength(1);
    expect(named("minio:index/iamUser:IamUser", "superset")).toHaveLength(1);
    const [policy] = named("minio:index/iamPolicy:IamPolicy", "superset");
    const statements = JSON.parse(unsecret(policy.inputs).policy).Statement;
    const resources = statements.flatMap((s: { Resource: string[] }) => s.Resource);
    expect(resources).toEqual(
      expect.arrayContaining(["arn:aws:s3:::superset-exports/*", "arn:aws:s3:::gold/*"]),
    );
    expect(resources.join()).not.toContain("silver");
  });

  it("gets its database on the lab's PostgreSQL, with its extension", () => {
    const postgres = lab.registrations.find(
      (r) => r.name === "postgres" && /Container|StatefulSet/.test(r.type),
    );
    expect(postgres).toBeDefined();
    // An env list on Docker (`K=v`), name/value pairs on Kubernetes.
    const env = (key: string, value: string) => new RegExp(`${key}(=|","value":")${value}`);
    expect(text(postgres!)).toMatch(env("LAB_DATABASES", "[a-z ]*\\bsuperset\\b"));
    expect(text(postgres!)).toMatch(env("LAB_DB_EXTENSIONS_SUPERSET", "pg_stat_statements"));
  });

  it("is deployed as a workload of its own, under its component", () => {
    const workload = lab.registrations.filter(
      (r) =>
        r.name === "superset" &&
        /docker:index\/container:Container|kubernetes:apps\/v1:Deployment/.test(r.type),
    );
    expect(workload).toHaveLength(1);
    expect(lab.registrations.some((r) => r.type === "dataflow:test:Superset")).toBe(true);
  });

  it("is in the urls, endpoints and memory outputs", async () => {
    const { component } = lab;
    if (stack === "dev") expect(component.urls.superset).toBe("http://localhost:8088");
    else expect(Object.keys(component.urls)).toContain("superset");
    expect(component.endpoints.superset).toBe("http://superset:8088");
    expect(component.memoryLimitMiB.services.superset).toBe(512);
  });

  it("is in the credentials output, a secret: its login, its database role and its S3 key", async () => {
    const { value, secret } = await settle(lab.component.credentials);
    expect(secret).toBe(true);
    expect(value.superset.user).toBe(ADMIN);
    expect(value.databases.superset.user).toBe("superset");
    expect(value.s3.superset.accessKey).toBe("superset");
  });

  it("is polled by the dashboard, which is deployed after it", () => {
    const dashboard = lab.registrations.find(
      (r) => r.name === "streamlit" && /Container|Deployment/.test(r.type),
    );
    expect(text(dashboard!)).toContain("http://superset:8088/health");
  });

  if (stack === "k8s") {
    it("reaches PostgreSQL and MinIO through their NetworkPolicies, and only that way", () => {
      const policy = (name: string) =>
        JSON.stringify(unsecret(named("NetworkPolicy", name)[0].inputs).spec);
      expect(policy("superset")).toBeDefined();
      expect(policy("postgres")).toContain('"superset"');
      expect(policy("minio")).toContain('"superset"');
      expect(policy("kafka")).not.toContain('"superset"');
    });
  }
});

describe("what the lab's modules promise before they exist", () => {
  it("every address a module offers its clients or lists in endpoints is one of its own workloads", async () => {
    const { component, config } = await construct("dev", {}, (c) => {
      const platform = createPlatform("platform", c);
      return new DataFlowLab("lab", { config: c, platform });
    });
    const hosts = new Set(component.services.flatMap((s) => s.workloads.map((w) => w.host)));
    const promised = LAB_SERVICES.flatMap((m) => {
      const offered = Object.values(m.offers?.({}) ?? {}).filter((v) => typeof v === "string");
      return [...(m.endpoint ? [m.endpoint] : []), ...offered].map((a) => [m.access.name, a]);
    });
    expect(promised.length).toBeGreaterThanOrEqual(LAB_SERVICES.length / 2);
    expect(config.kafka.enabled && config.mlflow.enabled && config.prefect.enabled).toBe(true);
    expect(promised.filter(([, a]) => !hosts.has(peerAt(a).service))).toEqual([]);
  });
});
