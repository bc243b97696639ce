// A Docker API that answers as a host of the given size, for scripts/lab.sh's tests (the real API,
// podman's, is asked by the real-engine suite). Answers /version and /info on a unix socket.
//
//   node -r ts-node/register/transpile-only test/dockerApiDouble.ts <socket> <api> <CPUs> <MiB>
import * as http from "http";

const [socket, api, cpus, mib] = process.argv.slice(2);
http
  .createServer((req, res) => {
    const body =
      req.url === "/version"
        ? { ApiVersion: api }
        : req.url === "/info"
          ? { NCPU: Number(cpus), MemTotal: Number(mib) * 2 ** 20 }
          : undefined;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body ?? { message: "not found" }));
  })
  .listen(socket, () => process.stdout.write("listening\n"));
