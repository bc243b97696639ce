import { SERVICE_IMAGES } from "../components/images";
import { LAB_RUNTIME_LEAST_MIB, problems } from "../scripts/preflight/checks";
import { endpoint, labNeeds } from "../scripts/preflight/main";
import { runProgram, unsecret } from "./harness";
import { parseConfig } from "../components/config";

/** What `npm run up` checks first: the lab as configured against the Docker host's size. */
describe("preflight", () => {
  const needsOf = async (overrides: Record<string, unknown> = {}) => {
    const run = await runProgram("dev", overrides);
    const raw = Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, unsecret(v)]));
    return labNeeds(run, parseConfig(raw, "dev") as unknown as Record<string, unknown>);
  };

  it("asks for the memory the stack output states and each deployed CPU limit, by its key", async () => {
    const run = await runProgram("dev");
    const needs = await needsOf();
    expect(needs.memoryMiB).toBe(run.outputs.memoryLimitMiB.value.total);
    expect(needs.cpus.filter((c) => c.cpus > 1).map((c) => c.key)).toEqual([
      "prefect.workerCpus",
      "nifi.cpus",
      "jupyterhub.cpus",
    ]);
    expect(needs.cpus.map((c) => c.key)).toContain("spark.workerCores");
  });

  it("leaves out what is not deployed: a service switched off, Spark's workers at 0", async () => {
    const needs = await needsOf({ nifi: { enabled: false }, spark: { workers: 0 } });
    const keys = needs.cpus.map((c) => c.key);
    expect(keys).not.toContain("nifi.cpus");
    expect(keys).not.toContain("spark.workerCores");
    expect(keys).toContain("spark.masterCpus");
    expect(needs.memoryMiB).toBe((await needsOf()).memoryMiB - 768 - 2 * 1472);
  });

  it("asks for every image the containers run: the lab runtime it builds, and each it pulls", async () => {
    const { images } = await needsOf();
    expect(images.filter((i) => i.built).map((i) => i.ref)).toEqual([
      expect.stringMatching(/^dataflow-lab\/lab-runtime:[0-9a-f]{12}$/),
    ]);
    const pulled = images.filter((i) => !i.built).map((i) => i.ref);
    const config = parseConfig({}, "dev");
    expect(pulled.sort()).toEqual(
      [config.postgres.image, config.minio.image, ...Object.values(SERVICE_IMAGES)].sort(),
    );
  });

  const host = { apiVersion: "1.47", cpus: 2, memoryMiB: 10816, images: new Set<string>() };
  const runtime = { ref: "dataflow-lab/lab-runtime:0123456789ab", built: true };
  const minio = { ref: "quay.io/minio/minio:RELEASE.2025-04-22T22-12-26Z", built: false };

  it("finds nothing on a host that fits, and each shortfall on one that does not", () => {
    const needs = { memoryMiB: 10816, cpus: [{ key: "nifi.cpus", cpus: 2 }], images: [] };
    expect(problems(host, needs)).toEqual([]);
    const found = problems({ ...host, cpus: 1, memoryMiB: 8000 }, needs);
    expect(found).toEqual([
      expect.stringMatching(/^memory: .*10816 MiB .*8000 MiB/),
      "CPUs: nifi.cpus is 2, the Docker host has 1 (Docker refuses a container whose limit exceeds it): set nifi.cpus to 1 or less, or give Docker more CPUs",
    ]);
  });

  it("refuses a disk too small for the lab runtime it has to build, where it can see the disk", () => {
    const needs = { memoryMiB: 1024, cpus: [], images: [runtime, minio] };
    const small = { dataRoot: "/var/lib/docker", freeMiB: LAB_RUNTIME_LEAST_MIB - 1 };
    expect(problems({ ...host, disk: small }, needs)).toEqual([
      `disk: Docker keeps images in /var/lib/docker, which has ${LAB_RUNTIME_LEAST_MIB - 1} MiB free; building the lab runtime image takes at least ${LAB_RUNTIME_LEAST_MIB} MiB (its locked Python packages and jars, measured), its base images and 1 image to pull more: free space (docker system prune) or give Docker a larger disk`,
    ]);
    // Built already, nothing to build; enough room; a disk it cannot see: nothing to say.
    expect(problems({ ...host, disk: small, images: new Set([runtime.ref]) }, needs)).toEqual([]);
    const roomy = { ...small, freeMiB: LAB_RUNTIME_LEAST_MIB };
    expect(problems({ ...host, disk: roomy }, needs)).toEqual([]);
    expect(problems(host, needs)).toEqual([]);
  });

  it("asks the Docker API where pulumi up will: docker.host, else DOCKER_HOST, else the socket", () => {
    const before = process.env.DOCKER_HOST;
    try {
      process.env.DOCKER_HOST = "tcp://elsewhere:2375";
      expect(endpoint("unix:///run/podman.sock")).toBe("unix:///run/podman.sock");
      expect(endpoint(undefined)).toBe("tcp://elsewhere:2375");
      delete process.env.DOCKER_HOST;
      expect(endpoint(undefined)).toBe("unix:///var/run/docker.sock");
    } finally {
      if (before === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = before;
    }
  });
});
