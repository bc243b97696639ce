"""Imports the lab's flow definition (lab-flow.json) into NiFi's root process group, once, and sets
its parameters (the S3 endpoint, bucket and the nifi identity's keys, the keys as sensitive
parameters, so they are never in the JSON). Runs in the background in NiFi's container at every
start (start.sh); writes LAB_NIFI_IMPORTED_MARKER when done, which the health check waits for.

Idempotent: the process group is uploaded only when the root group has none of its name (a user
may have changed or stopped it since; it is left alone), and the parameters are set at every start,
so a rotated secret takes effect. On first import the controller services are enabled and the
group started. Python 3 standard library only (the image's Debian python3).

REST API of NiFi 2.11.0 (nifi-web-api, tag rel/nifi-2.11.0; the same endpoints and fields as 2.4.0):
  POST /access/token                                  AccessResource.createAccessToken (form)
  GET  /process-groups/root/process-groups            ProcessGroupResource.getProcessGroups
  POST /process-groups/root/process-groups/upload     ProcessGroupResource.uploadProcessGroup
       (multipart: groupName, positionX, positionY, clientId, file)
  GET  /flow/parameter-contexts                       FlowResource.getParameterContexts
  POST /parameter-contexts/{id}/update-requests       ParameterContextResource.submitParameterContextUpdate
  GET|DELETE /parameter-contexts/{id}/update-requests/{requestId}
  PUT  /flow/process-groups/{id}/controller-services  FlowResource.activateControllerServices
  PUT  /flow/process-groups/{id}                      FlowResource.scheduleComponents
("root" is NiFi's alias of the root group id, FlowManager.ROOT_GROUP_ID_ALIAS.)

Environment: SINGLE_USER_CREDENTIALS_USERNAME/PASSWORD, NIFI_WEB_HTTPS_PORT, LAB_NIFI_FLOW,
LAB_NIFI_S3_ENDPOINT, LAB_NIFI_S3_BUCKET, LAB_NIFI_S3_ACCESS_KEY, LAB_NIFI_S3_SECRET_KEY,
LAB_NIFI_IMPORTED_MARKER; LAB_NIFI_API (default https://localhost:<port>/nifi-api) for tests.
"""

import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

CLIENT_ID = "dataflow-lab-import"
# NiFi takes one to three minutes to start; give it a generous while.
TIMEOUT_SECONDS = float(os.environ.get("LAB_NIFI_TIMEOUT_SECONDS", "900"))


def log(message: str) -> None:
    print(f"dataflow-lab import-flow: {message}", file=sys.stderr, flush=True)


class Nifi:
    def __init__(self, api: str):
        self.api = api.rstrip("/")
        self.token = ""
        # NiFi's own self-signed certificate, from inside its container (localhost): nothing
        # leaves the container, so the certificate is not checked here.
        self.tls = ssl.create_default_context()
        self.tls.check_hostname = False
        self.tls.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, body=None, content_type="application/json"):
        data = body
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
        headers = {"Accept": "application/json, text/plain"}
        if data is not None:
            headers["Content-Type"] = content_type
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(f"{self.api}{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60, context=self.tls) as response:
            text = response.read().decode()
        return json.loads(text) if text.startswith(("{", "[")) else text

    def login(self, username: str, password: str) -> None:
        form = urllib.parse.urlencode({"username": username, "password": password}).encode()
        self.token = ""
        self.token = self.request(
            "POST", "/access/token", form, "application/x-www-form-urlencoded"
        ).strip()


def multipart(fields: dict, file_name: str, file_bytes: bytes) -> tuple[bytes, str]:
    boundary = f"----dataflow-lab-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def wait_for_login(nifi: Nifi, username: str, password: str, deadline: float) -> None:
    while True:
        try:
            nifi.login(username, password)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"NiFi's API did not let us log in in time: {error}") from error
            time.sleep(5)


def find_group(nifi: Nifi, name: str):
    groups = nifi.request("GET", "/process-groups/root/process-groups")["processGroups"]
    return next((g for g in groups if g["component"]["name"] == name), None)


def set_parameters(nifi: Nifi, context_name: str, values: dict, sensitive: set) -> None:
    contexts = nifi.request("GET", "/flow/parameter-contexts")["parameterContexts"]
    context = next((c for c in contexts if c["component"]["name"] == context_name), None)
    if context is None:
        raise RuntimeError(f"NiFi has no parameter context {context_name!r} after the import")
    cid = context["id"]
    update = {
        "revision": context["revision"],
        "id": cid,
        "component": {
            "id": cid,
            "parameters": [
                {"parameter": {"name": k, "sensitive": k in sensitive, "value": v}}
                for k, v in sorted(values.items())
            ],
        },
    }
    started = nifi.request("POST", f"/parameter-contexts/{cid}/update-requests", update)
    request_id = started["request"]["requestId"]
    path = f"/parameter-contexts/{cid}/update-requests/{request_id}"
    try:
        for _ in range(120):
            state = nifi.request("GET", path)["request"]
            if state.get("failureReason"):
                raise RuntimeError(f"updating {context_name!r} failed: {state['failureReason']}")
            if state.get("complete"):
                return
            time.sleep(1)
        raise RuntimeError(f"updating {context_name!r} did not complete in 120 s")
    finally:
        nifi.request("DELETE", path)


def main() -> int:
    flow_file = Path(os.environ["LAB_NIFI_FLOW"])
    flow = json.loads(flow_file.read_text())
    group_name = flow["flowContents"]["name"]
    context_name = flow["flowContents"]["parameterContextName"]
    declared = flow["parameterContexts"][context_name]["parameters"]
    sensitive = {p["name"] for p in declared if p["sensitive"]}
    values = {
        "s3.endpoint": os.environ["LAB_NIFI_S3_ENDPOINT"],
        "s3.bucket": os.environ["LAB_NIFI_S3_BUCKET"],
        "s3.access.key": os.environ["LAB_NIFI_S3_ACCESS_KEY"],
        "s3.secret.key": os.environ["LAB_NIFI_S3_SECRET_KEY"],
    }
    if set(values) != {p["name"] for p in declared}:
        raise RuntimeError(f"{flow_file} declares {sorted(p['name'] for p in declared)}")

    port = os.environ.get("NIFI_WEB_HTTPS_PORT", "8443")
    nifi = Nifi(os.environ.get("LAB_NIFI_API", f"https://localhost:{port}/nifi-api"))
    deadline = time.monotonic() + TIMEOUT_SECONDS
    wait_for_login(
        nifi,
        os.environ["SINGLE_USER_CREDENTIALS_USERNAME"],
        os.environ["SINGLE_USER_CREDENTIALS_PASSWORD"],
        deadline,
    )

    group = find_group(nifi, group_name)
    first_import = group is None
    if first_import:
        body, content_type = multipart(
            {"groupName": group_name, "positionX": "0", "positionY": "0", "clientId": CLIENT_ID},
            flow_file.name,
            flow_file.read_bytes(),
        )
        group = nifi.request(
            "POST", "/process-groups/root/process-groups/upload", body, content_type
        )
        log(f"imported {group_name!r} as process group {group['id']}")
    else:
        log(f"{group_name!r} is already there ({group['id']}); not imported again")

    set_parameters(nifi, context_name, values, sensitive)
    log(f"set the parameters of {context_name!r}: {', '.join(sorted(values))}")

    if first_import:
        gid = group["id"]
        nifi.request(
            "PUT", f"/flow/process-groups/{gid}/controller-services", {"id": gid, "state": "ENABLED"}
        )
        time.sleep(5)  # enabling is asynchronous; processors start once their service is enabled
        nifi.request("PUT", f"/flow/process-groups/{gid}", {"id": gid, "state": "RUNNING"})
        log(f"enabled the services of {group_name!r} and started it")

    marker = os.environ.get("LAB_NIFI_IMPORTED_MARKER")
    if marker:
        Path(marker).parent.mkdir(parents=True, exist_ok=True)
        Path(marker).write_text(f"{group['id']}\n")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:  # the health check stays red; say why in NiFi's log
        log(f"failed: {error}")
        sys.exit(1)
