import { allowLists } from "../components/platform/allowList";
import { networkPolicySpec } from "../components/platform/kubernetesManifests";
import { peerAt, type WorkloadSpec } from "../components/platform/types";
import { ofType, runProgram, unsecret, type ProgramRun } from "./harness";

/** A workload with nothing but its name, ports and connections. */
function spec(service: string, extra: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return { service, image: "x:1", health: { command: ["true"] }, memoryMiB: 64, ...extra };
}

describe("peerAt: the service and port behind an address the lab hands out", () => {
  it.each([
    ["http://minio:9000", "minio", 9000],
    ["http://prefect-server:4200/api", "prefect-server", 4200],
    ["spark://spark-master:7077", "spark-master", 7077],
    ["kafka:9092", "kafka", 9092],
    ["postgres:5432", "postgres", 5432],
    ["https://nifi:8443/nifi-api/x?y=1", "nifi", 8443],
    ["jdbc:hive2://spark-thrift:10000/default", "spark-thrift", 10000],
    ["jdbc:hive2://spark-thrift:10000/default;transportMode=binary", "spark-thrift", 10000],
  ])("%s", (address, service, port) => {
    expect(peerAt(address)).toEqual({ service, port });
  });

  it.each(["http://minio", "minio", "kafka:9092,kafka-2:9092", ""])(
    "refuses %j, which names no single service:port",
    (address) => {
      expect(() => peerAt(address)).toThrow(/no service:port/);
    },
  );
});

describe("allowLists: one per workload, each edge allowed at both ends", () => {
  const db = spec("db", { ports: [{ name: "pg", port: 5432 }] });
  const app = spec("app", {
    ports: [
      {
        name: "http",
        port: 80,
        publish: { hostPort: 8080, nodePort: 30080, urlKey: "app", login: true },
      },
    ],
    sessionPorts: [{ port: 7100, endPort: 7115 }],
    connects: [{ service: "db", port: 5432 }],
    callers: [{ service: "db", port: 7100, endPort: 7115 }],
  });

  it("connects become the caller's egress and the server's ingress; callers the reverse", () => {
    expect(allowLists([db, app])).toEqual([
      {
        service: "db",
        ingress: [{ from: "app", ports: [{ port: 5432 }] }],
        published: [],
        egress: [{ to: "app", ports: [{ port: 7100, endPort: 7115 }] }],
      },
      {
        service: "app",
        ingress: [{ from: "db", ports: [{ port: 7100, endPort: 7115 }] }],
        published: [{ port: 80 }],
        egress: [{ to: "db", ports: [{ port: 5432 }] }],
      },
    ]);
  });

  it("refuses a connection to a service no workload is, naming both", () => {
    expect(() =>
      allowLists([spec("app", { connects: [{ service: "cache", port: 6379 }] })]),
    ).toThrow("app connects to cache:6379, but no workload of the lab is cache");
  });

  it("refuses a port the service does not listen on, saying what it listens on", () => {
    expect(() =>
      allowLists([db, spec("app", { connects: [{ service: "db", port: 5433 }] })]),
    ).toThrow("app connects to db:5433, which db does not listen on (it listens on 5432)");
  });

  it("refuses a range wider than the session ports declared", () => {
    expect(() =>
      allowLists([
        spec("driver", { sessionPorts: [{ port: 7100, endPort: 7115 }] }),
        spec("exec", { connects: [{ service: "driver", port: 7100, endPort: 7130 }] }),
      ]),
    ).toThrow(
      "exec connects to driver:7100-7130, which driver does not listen on (it listens on 7100-7115)",
    );
  });

  it("refuses a caller that is no workload", () => {
    expect(() => allowLists([spec("app", { callers: [{ service: "ghost", port: 1 }] })])).toThrow(
      "app names ghost as a caller, but no workload is ghost",
    );
  });
});

describe("networkPolicySpec", () => {
  it("selects the workload's pods; callers by pod label; published ports from anywhere; DNS only with egress", () => {
    const [dbList, appList] = allowLists([
      spec("db", { ports: [{ name: "pg", port: 5432 }] }),
      spec("app", {
        ports: [
          {
            name: "h",
            port: 80,
            publish: { hostPort: 1, nodePort: 30001, urlKey: "a", login: true },
          },
        ],
        connects: [{ service: "db", port: 5432 }],
      }),
    ]);
    const sel = (name: string) => ({
      podSelector: {
        matchLabels: { "app.kubernetes.io/instance": "s", "app.kubernetes.io/name": name },
      },
    });
    expect(networkPolicySpec(dbList, "s")).toEqual({
      ...sel("db"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [sel("app")], ports: [{ protocol: "TCP", port: 5432 }] }],
      egress: [],
    });
    expect(networkPolicySpec(appList, "s")).toEqual({
      ...sel("app"),
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ports: [{ protocol: "TCP", port: 80 }] }],
      egress: [
        { to: [sel("db")], ports: [{ protocol: "TCP", port: 5432 }] },
        {
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
  });
});

describe("k8s stack: NetworkPolicies", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram("k8s");
  });
  const policies = () =>
    Object.fromEntries(
      ofType(run, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => [
        r.name,
        unsecret(r.inputs).spec,
      ]),
    );
  /** `from:ports` of each ingress rule, `*` for anyone. */
  const ingress = (p: any) =>
    p.ingress.map(
      (i: any) =>
        `${i.from ? i.from[0].podSelector.matchLabels["app.kubernetes.io/name"] : "*"}:${i.ports
          .map((q: any) => (q.endPort ? `${q.port}-${q.endPort}` : q.port))
          .join(",")}`,
    );

  it("a default-deny for the lab's pods (only), and one policy per workload, both directions", () => {
    const p = policies();
    expect(p["default-deny"]).toEqual({
      podSelector: {
        matchLabels: {
          "app.kubernetes.io/instance": "k8s",
          "app.kubernetes.io/part-of": "dataflow-lab",
        },
      },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: [],
    });
    const workloads = [
      ...ofType(run, "kubernetes:apps/v1:Deployment"),
      ...ofType(run, "kubernetes:apps/v1:StatefulSet"),
    ].map((r) => r.name);
    expect(
      Object.keys(p)
        .filter((n) => n !== "default-deny")
        .sort(),
    ).toEqual(workloads.sort());
    for (const w of workloads) expect(p[w].policyTypes).toEqual(["Ingress", "Egress"]);
  });

  it("PostgreSQL takes connections only from the services with a database and the Spark drivers (the catalog's), on 5432, and opens none", () => {
    const p = policies().postgres;
    expect(ingress(p)).toEqual([
      "jupyterhub:5432",
      "lineage:5432",
      "mlflow:5432",
      "prefect-server:5432",
      "prefect-worker:5432",
      "spark-thrift:5432",
    ]);
    expect(p.egress).toEqual([]);
  });

  it("Spark's master RPC takes only the lab's drivers and workers; executors call drivers back on fixed ports", () => {
    const p = policies();
    expect(ingress(p["spark-master"])).toEqual([
      "jupyterhub:7077",
      "prefect-worker:7077",
      "spark-thrift:7077",
      "spark-worker:7077",
      "streamlit:8080",
    ]);
    expect(ingress(p.jupyterhub)).toEqual([
      "spark-master:7100-7115",
      "spark-worker:7100-7115,7200-7215",
      "streamlit:8000",
      "*:8000",
    ]);
  });
});
