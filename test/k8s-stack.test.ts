import {
  dependsOn,
  one,
  ofType,
  runProgram,
  unsecret,
  type ProgramRun,
  type Registration,
} from "./harness";

const STS = "kubernetes:apps/v1:StatefulSet";
const SVC = "kubernetes:core/v1:Service";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const SECRET = "kubernetes:core/v1:Secret";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram("k8s");
});

/** Validates an object against the Kubernetes OpenAPI schema (kubernetes-models, k8s 1.27). */
function validate(r: Registration): void {
  const obj = unsecret(r.inputs) as { apiVersion: string; kind: string };
  const [group, version] = obj.apiVersion.includes("/")
    ? obj.apiVersion.split("/")
    : ["", obj.apiVersion];
  const mod = require(
    group
      ? `kubernetes-models/${group}/${version}/${obj.kind}`
      : `kubernetes-models/v1/${obj.kind}`,
  );
  new mod[obj.kind](obj).validate();
}

const pod = (r: Registration) => unsecret(r.inputs).spec.template.spec;

describe("k8s stack (Kubernetes)", () => {
  it("registers a namespace, a StatefulSet + Service + PVC per data service, Secrets and the MinIO NodePort", () => {
    const k8s = run.registrations
      .filter((r) => r.type.startsWith("kubernetes:"))
      .map((r) => `${r.type}::${r.name}`)
      .sort();
    expect(k8s).toEqual(
      [
        "kubernetes:core/v1:Namespace::platform",
        `${STS}::minio`,
        `${STS}::postgres`,
        `${SVC}::minio`,
        `${SVC}::minio-nodeport`,
        `${SVC}::postgres`,
        `${PVC}::minio-data`,
        `${PVC}::postgres-data`,
        `${SECRET}::minio`,
        `${SECRET}::postgres`,
        "kubernetes:core/v1:ConfigMap::postgres",
      ].sort(),
    );
    expect(run.registrations.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
  });

  it("every Kubernetes object is valid against the Kubernetes schema", () => {
    const errors: string[] = [];
    for (const r of run.registrations.filter((x) => x.type.startsWith("kubernetes:"))) {
      try {
        validate(r);
      } catch (e) {
        errors.push(`${r.type}::${r.name}: ${(e as Error).message}`);
      }
    }
    expect(errors).toEqual([]);
  });

  it("the schema check can fail: a broken StatefulSet is rejected", () => {
    const sts = one(run, STS, "minio");
    const broken = { ...sts, inputs: { ...unsecret(sts.inputs), spec: { replicas: "one" } } };
    expect(() => validate(broken)).toThrow(/replicas must be integer|must have required property/);
  });

  it("every object is in the lab's namespace and on the explicit kubernetes provider", () => {
    for (const r of run.registrations.filter((x) => x.type.startsWith("kubernetes:") && x.custom)) {
      expect(r.provider).toMatch(/\$pulumi:providers:kubernetes::platform::/);
      if (!r.type.endsWith(":Namespace")) expect(r.inputs.metadata.namespace).toBe("dataflow-lab");
    }
    expect(one(run, "kubernetes:core/v1:Namespace", "platform").inputs.metadata.name).toBe(
      "dataflow-lab",
    );
  });

  it("keeps PVCs and the namespace (whose deletion would take the PVCs) on destroy", () => {
    expect(ofType(run, PVC).map((p) => [p.name, p.retainOnDelete])).toEqual([
      ["minio-data", true],
      ["postgres-data", true],
    ]);
    expect(one(run, "kubernetes:core/v1:Namespace", "platform").retainOnDelete).toBe(true);
    expect(one(run, PVC, "minio-data").inputs.spec.resources.requests.storage).toBe("20Gi");
    expect(one(run, PVC, "postgres-data").inputs.spec.resources.requests.storage).toBe("5Gi");
  });

  it("every pod: no service links, probes, requests = limits for memory, non-root", () => {
    for (const sts of ofType(run, STS)) {
      const spec = pod(sts);
      expect(spec.enableServiceLinks).toBe(false);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      for (const c of spec.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
        expect(c.startupProbe).toBeDefined();
        expect(c.resources.limits.memory).toMatch(/^\d+Mi$/);
        expect(c.resources.requests.memory).toBe(c.resources.limits.memory);
        expect(c.resources.limits.cpu).toBeDefined();
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
      }
    }
  });

  it("credentials reach pods only through secretKeyRef, never as plain values", () => {
    for (const sts of ofType(run, STS)) {
      for (const e of pod(sts).containers[0].env as {
        name: string;
        value?: string;
        valueFrom?: any;
      }[]) {
        if (/PASSWORD|ROOT_USER/.test(e.name)) {
          expect(e.value).toBeUndefined();
          expect(e.valueFrom.secretKeyRef).toEqual({
            name: `${sts.name}-autonamed`,
            key: `env.${e.name}`,
          });
        }
      }
    }
    const secret = one(run, SECRET, "minio");
    expect(Object.keys(unsecret(secret.inputs.stringData)).sort()).toEqual([
      "env.MINIO_ROOT_PASSWORD",
      "env.MINIO_ROOT_USER",
    ]);
  });

  it("MinIO: StatefulSet on its PVC, HTTP probes on the health endpoints, API reachable through a NodePort", () => {
    const spec = pod(one(run, STS, "minio"));
    const c = spec.containers[0];
    expect(c.image).toBe("quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z");
    expect(c.args).toEqual(["server", "/data", "--console-address", ":9001"]);
    expect(c.readinessProbe.httpGet).toEqual({
      path: "/minio/health/ready",
      port: 9000,
      scheme: "HTTP",
    });
    expect(c.livenessProbe.httpGet).toEqual({
      path: "/minio/health/live",
      port: 9000,
      scheme: "HTTP",
    });
    expect(spec.volumes).toEqual([
      { name: "data", persistentVolumeClaim: { claimName: "minio-data" } },
    ]);
    expect(one(run, SVC, "minio-nodeport").inputs.spec).toMatchObject({
      type: "NodePort",
      ports: [
        { name: "api", port: 9000, nodePort: 30900 },
        { name: "console", port: 9001, nodePort: 30901 },
      ],
    });
    expect(one(run, SVC, "minio").inputs.spec.type).toBe("ClusterIP");
  });

  it("PostgreSQL runs as the image's postgres user with PGDATA below the mount (ext4 lost+found)", () => {
    const spec = pod(one(run, STS, "postgres"));
    expect(spec.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    const c = spec.containers[0];
    expect(c.env.find((e: { name: string }) => e.name === "PGDATA").value).toBe(
      "/var/lib/postgresql/data/pgdata",
    );
    expect(c.readinessProbe.exec.command).toEqual(["/usr/local/bin/dataflow-lab-ensure-databases"]);
    expect(c.livenessProbe.exec.command).toEqual([
      "pg_isready",
      "-q",
      "-h",
      "127.0.0.1",
      "-U",
      "postgres",
    ]);
    expect(c.volumeMounts).toContainEqual({
      name: "files",
      mountPath: "/usr/local/bin/dataflow-lab-ensure-databases",
      subPath: "usr_local_bin_dataflow-lab-ensure-databases",
      readOnly: true,
    });
  });

  it("the MinIO provider reaches the NodePort on the node address, after the StatefulSet and Service are ready", () => {
    const p = one(run, "pulumi:providers:minio", "lab-minio");
    expect(p.inputs.minioServer).toBe("127.0.0.1:30900");
    expect(dependsOn(p, STS, "minio")).toBe(true);
    expect(dependsOn(p, SVC, "minio")).toBe(true);
    expect(run.outputs.urls.value).toEqual({
      "minio-api": "http://127.0.0.1:30900",
      "minio-console": "http://127.0.0.1:30901",
    });
  });
});

describe("k8s stack config overrides", () => {
  it("namespace, context, kubeconfig and storage class come from config", async () => {
    const r = await runProgram("k8s", {
      kubernetes: {
        namespace: "lab-42",
        context: "kind-lab",
        kubeconfig: "/tmp/kc",
        storageClass: "fast",
      },
    });
    expect(one(r, "pulumi:providers:kubernetes", "platform").inputs).toMatchObject({
      context: "kind-lab",
      kubeconfig: "/tmp/kc",
    });
    for (const x of r.registrations.filter(
      (q) => q.type.startsWith("kubernetes:") && !q.type.endsWith("Namespace"),
    )) {
      expect(x.inputs.metadata.namespace).toBe("lab-42");
    }
    expect(ofType(r, PVC).map((p) => p.inputs.spec.storageClassName)).toEqual(["fast", "fast"]);
  });

  it("with an ingress domain, web UIs get Ingresses and the MinIO provider goes through one", async () => {
    const r = await runProgram("k8s", {
      kubernetes: { ingressDomain: "lab.127.0.0.1.nip.io", ingressClassName: "nginx" },
    });
    const ingresses = ofType(r, "kubernetes:networking.k8s.io/v1:Ingress");
    expect(ingresses.map((i) => i.inputs.spec.rules[0].host)).toEqual([
      "minio-api.lab.127.0.0.1.nip.io",
      "minio-console.lab.127.0.0.1.nip.io",
    ]);
    expect(ingresses.every((i) => i.inputs.spec.ingressClassName === "nginx")).toBe(true);
    for (const i of ingresses) validate(i);
    expect(one(r, "pulumi:providers:minio", "lab-minio").inputs.minioServer).toBe(
      "minio-api.lab.127.0.0.1.nip.io:80",
    );
    expect(r.outputs.urls.value["minio-console"]).toBe("http://minio-console.lab.127.0.0.1.nip.io");
  });

  it("opting out of retention lets destroy delete PVCs and the namespace", async () => {
    const r = await runProgram("k8s", { retainDataOnDestroy: false });
    expect(ofType(r, PVC).every((p) => !p.retainOnDelete)).toBe(true);
    expect(one(r, "kubernetes:core/v1:Namespace", "platform").retainOnDelete).toBe(false);
  });
});
