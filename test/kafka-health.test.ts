/**
 * The logic of services/kafka/ensure-topics.sh (Kafka's health check). No broker runs here, so the
 * Kafka CLI tool is replaced on PATH by a recorder that answers like a broker holding some topics,
 * and the broker's in-container port (127.0.0.1:19092) is a plain listening socket; the script
 * itself runs for real.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { SERVICES_DIR } from "../components/serviceFiles";
import { tempDirs } from "./tempDirs";

const tempDir = tempDirs();

function setup(existingTopics: string[], brokerUp = true) {
  const dir = tempDir("kafka-health-");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  const calls = path.join(dir, "calls");
  fs.writeFileSync(path.join(dir, "topics"), existingTopics.map((t) => `${t}\n`).join(""));
  fs.writeFileSync(
    path.join(bin, "kafka-topics.sh"),
    `#!/bin/bash
echo "kafka-topics.sh $* heap=$KAFKA_HEAP_OPTS" >> ${calls}
${brokerUp ? "" : "exit 1"}
if [[ " $* " == *" --list "* ]]; then cat ${dir}/topics; fi
`,
    { mode: 0o755 },
  );
  const run = (topics: string) =>
    spawnSync("bash", [path.join(SERVICES_DIR, "kafka/ensure-topics.sh")], {
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        LAB_KAFKA_TOPICS: topics,
        LAB_STATE_FILE: path.join(dir, "state"),
      },
      encoding: "utf8",
    });
  const log = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : []);
  return { run, log };
}

/** The broker's in-container listener the script checks. */
const BROKER_PORT = 19092;

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", (e) =>
      reject(new Error(`127.0.0.1:${port} must be free for this test: ${e.message}`)),
    );
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("Kafka health check (ensure-topics.sh)", () => {
  it("creates only the missing topics, through the in-container listener, with a small tool heap", () => {
    const { run, log } = setup(["lab-events"]);
    expect(run("lab-events orders").status).toBe(0);
    expect(log()).toEqual([
      "kafka-topics.sh --bootstrap-server 127.0.0.1:19092 --list heap=-Xmx64m",
      "kafka-topics.sh --bootstrap-server 127.0.0.1:19092 --create --if-not-exists --topic orders --partitions 1 --replication-factor 1 heap=-Xmx64m",
    ]);
  });

  it("after success, only checks the broker's port, until the declared topics change", async () => {
    const { run, log } = setup([]);
    expect(run("lab-events").status).toBe(0);
    const before = log().length;
    // The kernel completes a connection to a listening socket on its own (the backlog), so the
    // check succeeds while this process waits for the script.
    const broker = await listenOn(BROKER_PORT);
    try {
      expect(run("lab-events").status).toBe(0);
    } finally {
      await new Promise((resolve) => broker.close(resolve));
    }
    expect(log().length).toBe(before);
    // The port closed: unhealthy, with no tool started.
    expect(run("lab-events").status).not.toBe(0);
    expect(log().length).toBe(before);
    expect(run("lab-events orders").status).toBe(0);
    expect(log().slice(before)[0]).toMatch(/^kafka-topics\.sh .* --list /);
  });

  it("matches topic names literally: an existing abc does not count as a.c", () => {
    const { run, log } = setup(["abc", "lab-events"]);
    expect(run("a.c lab-events").status).toBe(0);
    expect(log().filter((l) => l.includes("--create"))).toEqual([
      "kafka-topics.sh --bootstrap-server 127.0.0.1:19092 --create --if-not-exists --topic a.c --partitions 1 --replication-factor 1 heap=-Xmx64m",
    ]);
  });

  it("is unhealthy while the broker does not answer", () => {
    const { run } = setup([], false);
    expect(run("lab-events").status).not.toBe(0);
  });
});
