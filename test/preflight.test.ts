import { problems } from "../scripts/preflight/checks";
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
    expect(needs.memoryMiB).toBe((await needsOf()).memoryMiB - 768 - 2 * 1408);
  });

  it("finds nothing on a host that fits, and each shortfall on one that does not", () => {
    const needs = { memoryMiB: 10816, cpus: [{ key: "nifi.cpus", cpus: 2 }] };
    expect(problems({ apiVersion: "1.47", cpus: 2, memoryMiB: 10816 }, needs)).toEqual([]);
    const found = problems({ apiVersion: "1.47", cpus: 1, memoryMiB: 8000 }, needs);
    expect(found).toEqual([
      expect.stringMatching(/^memory: .*10816 MiB .*8000 MiB/),
      "CPUs: nifi.cpus is 2, the Docker host has 1 (Docker refuses a container whose limit exceeds it): set nifi.cpus to 1 or less, or give Docker more CPUs",
    ]);
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
