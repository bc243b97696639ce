import * as fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import {
  envList,
  dockerCpus,
  healthcheck,
  waitTimeoutSeconds,
} from "../components/platform/docker";
import { fileKey, podSpec, probes } from "../components/platform/kubernetesManifests";
import { bucketPolicy } from "../components/storage/s3Policy";

/** Resolves an Input the way the engine would, for pure-function tests. */
function value(x: pulumi.Input<string>): Promise<string> {
  return new Promise((resolve) => pulumi.output(x).apply(resolve));
}

function isSecret(x: pulumi.Input<unknown>): Promise<boolean> {
  return (pulumi.output(x) as unknown as { isSecret: Promise<boolean> }).isSecret;
}

describe("bucketPolicy", () => {
  type Statement = { Sid: string; Action: string[]; Resource: string[] };
  const statements = (doc: string) => (JSON.parse(doc) as { Statement: Statement[] }).Statement;

  it("grants read-write buckets object writes and read-only buckets reads only", () => {
    const doc = statements(bucketPolicy({ readWrite: ["silver", "bronze"], readOnly: ["gold"] }));
    expect(doc.find((s) => s.Sid === "WriteObjects")!.Resource).toEqual([
      "arn:aws:s3:::bronze/*",
      "arn:aws:s3:::silver/*",
    ]);
    expect(doc.find((s) => s.Sid === "ReadObjects")!.Resource).toEqual([
      "arn:aws:s3:::bronze/*",
      "arn:aws:s3:::gold/*",
      "arn:aws:s3:::silver/*",
    ]);
  });

  it("a read-only identity gets no write statement at all", () => {
    expect(
      statements(bucketPolicy({ readWrite: [], readOnly: ["gold"] })).map((s) => s.Sid),
    ).toEqual(["ListBuckets", "ReadObjects"]);
  });

  it("refuses an identity with no bucket", () => {
    expect(() => bucketPolicy({ readWrite: [], readOnly: [] })).toThrow("at least one bucket");
  });

  const bucket = fc.stringMatching(/^[a-z][a-z0-9-]{2,10}$/);
  it("for any buckets: never an admin or bucket-level write action, never a bucket it was not given, order-independent", () => {
    fc.assert(
      fc.property(
        fc.array(bucket, { maxLength: 5 }),
        fc.array(bucket, { maxLength: 5 }),
        (rw, ro) => {
          fc.pre(rw.length + ro.length > 0);
          const doc = bucketPolicy({ readWrite: rw, readOnly: ro });
          expect(bucketPolicy({ readWrite: [...rw].reverse(), readOnly: [...ro].reverse() })).toBe(
            doc,
          );
          for (const s of statements(doc)) {
            for (const a of s.Action) expect(a).toMatch(/^s3:(Get|List|Put|Delete|Abort)/);
            expect(s.Action).not.toContain("s3:DeleteBucket");
            for (const r of s.Resource) {
              const name = r.replace("arn:aws:s3:::", "").replace("/*", "");
              expect([...rw, ...ro]).toContain(name);
              if (s.Sid === "WriteObjects") expect(rw).toContain(name);
            }
          }
        },
      ),
    );
  });
});

describe("Docker builders", () => {
  it("envList sorts entries and marks each credential secret", async () => {
    const list = envList({ B: "2", A: "1" }, { PASSWORD: "hunter22" });
    expect(await Promise.all(list.map(value))).toEqual(["A=1", "B=2", "PASSWORD=hunter22"]);
    expect(await Promise.all(list.map(isSecret))).toEqual([false, false, true]);
  });

  it("healthcheck uses exec form and gives the start period before failures count", () => {
    expect(
      healthcheck({ command: ["pg_isready"], intervalSeconds: 5, startPeriodSeconds: 20 }),
    ).toEqual({
      tests: ["CMD", "pg_isready"],
      interval: "5s",
      timeout: "5s",
      retries: 6,
      startPeriod: "20s",
      startInterval: "2s",
    });
  });

  it("healthcheck leaves start_interval out for a Docker API below 1.44 (podman, Engine < 25)", () => {
    const h = healthcheck({ command: ["pg_isready"] }, false);
    expect(h).not.toHaveProperty("startInterval");
    expect(h).toMatchObject({ interval: "10s", startPeriod: "30s", retries: 6 });
  });

  it("dockerCpus spells a CPU limit as the provider reads it back, so previews stay quiet", () => {
    expect([1, 2, 0.5, 1.5, 0.1, 10, 64].map(dockerCpus)).toEqual([
      "1.0",
      "2.0",
      "0.5",
      "1.5",
      "0.1",
      "10.",
      "64.0",
    ]);
  });

  it("wait timeout covers the start period and every retry", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 600 }), (i, start) => {
        expect(
          waitTimeoutSeconds({ command: ["x"], intervalSeconds: i, startPeriodSeconds: start }),
        ).toBeGreaterThan(start + 6 * i);
      }),
    );
  });
});

describe("Kubernetes builders", () => {
  it("fileKey turns any path into a valid ConfigMap key", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (p) => {
        fc.pre(/[^/]/.test(p));
        expect(fileKey(`/${p}`)).toMatch(/^[-._a-zA-Z0-9]+$/);
      }),
    );
    expect(fileKey("/etc/spark/spark-defaults.conf")).toBe("etc_spark_spark-defaults.conf");
  });

  it("probes: HTTP when given, exec otherwise; the startup probe spans the start period", () => {
    const p = probes({
      command: ["true"],
      http: { path: "/health", port: 5000 },
      startPeriodSeconds: 60,
      intervalSeconds: 10,
    });
    expect(p.readinessProbe.httpGet).toEqual({ path: "/health", port: 5000, scheme: "HTTP" });
    // Alive while its port accepts connections, even when not ready.
    expect(p.livenessProbe.tcpSocket).toEqual({ port: 5000 });
    // Every 2 s (the start interval) across the 60 s start period and 6 retries at 10 s: 120 s.
    expect(p.startupProbe).toMatchObject({ periodSeconds: 2, failureThreshold: 60 });
    expect(probes({ command: ["true"] }).readinessProbe.exec).toEqual({ command: ["true"] });
  });

  it("podSpec: env sorted, credentials by secretKeyRef, files by subPath, no service links", () => {
    const spec = podSpec(
      {
        service: "demo",
        image: "demo:1.0",
        env: { Z: "z", A: "a" },
        secretEnv: { TOKEN: "t" },
        files: [
          { path: "/etc/demo/app.conf", content: "x" },
          { path: "/etc/demo/keys.conf", content: "k", secret: true },
        ],
        health: { command: ["true"] },
        memoryMiB: 256,
      },
      { secretName: "demo-s", configMapName: "demo-c", claims: {} },
    );
    const c = (spec.containers as any[])[0];
    expect(c.env).toEqual([
      { name: "A", value: "a" },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "demo-s", key: "env.TOKEN" } } },
      { name: "Z", value: "z" },
    ]);
    expect(c.volumeMounts).toEqual([
      {
        name: "files",
        mountPath: "/etc/demo/app.conf",
        subPath: "etc_demo_app.conf",
        readOnly: true,
      },
      {
        name: "secret-files",
        mountPath: "/etc/demo/keys.conf",
        subPath: "etc_demo_keys.conf",
        readOnly: true,
      },
    ]);
    expect(spec.enableServiceLinks).toBe(false);
    // No identity given (the platforms refuse that spec): still non-root, checked by the kubelet.
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.resources).toEqual({
      requests: { cpu: "250m", memory: "256Mi", "ephemeral-storage": "1024Mi" },
      limits: { cpu: "1000m", memory: "256Mi", "ephemeral-storage": "1024Mi" },
    });
  });
});
