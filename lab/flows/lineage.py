"""The medallion flow's own lineage: each of its steps reports, as an OpenLineage job, the lake
tables it read and wrote, so the lineage graph shows bronze → silver → gold step by step.

Spark's OpenLineage listener (in every driver's spark-defaults.conf) already reports each Spark
job, but not everything a step does: a Delta MERGE is reported with its target alone (the bronze
rows it merged from are missing), and a step is many Spark jobs. The steps know their inputs and
outputs, and say so here, to the same receiver, with the same key, taken from the session's own
configuration (`spark.openlineage.transport.*`); where lineage is off, nothing is sent. A receiver
that is down or refuses costs a warning, never the step.

    with lineage.step(spark, "medallion.refine_silver", [BRONZE], [SILVER, REJECTED], parent):
        ...
"""

from __future__ import annotations

import json
import logging
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator, NamedTuple

from pyspark import SparkConf
from pyspark.sql import SparkSession

# The producer every event names (OpenLineage requires a URI), and the spec its events follow.
PRODUCER = "urn:dataflow-lab:lab/flows/lineage.py"
SCHEMA_URL = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"
TIMEOUT_SECONDS = 5

log = logging.getLogger(__name__)


# Hadoop's S3 file systems are one store to OpenLineage: its naming spec (and Spark's listener)
# name an object of any of them `s3://<bucket>`.
S3_SCHEMES = {"s3", "s3a", "s3n"}


def dataset(path: str) -> dict:
    """A lake path as OpenLineage's naming spec (and so Spark's listener) names it:
    `s3a://silver/sales` is namespace `s3://silver`, name `sales`; a local `file:///x/sales` is
    `file`, `/x/sales`."""
    url = urllib.parse.urlparse(path)
    if url.scheme == "file" or not url.scheme:
        return {"namespace": "file", "name": url.path}
    scheme = "s3" if url.scheme in S3_SCHEMES else url.scheme
    return {"namespace": f"{scheme}://{url.netloc}", "name": url.path.lstrip("/")}


class Sink(NamedTuple):
    """Where and how a session's listener sends its events, read from the session's conf."""

    url: str
    headers: dict[str, str]
    # The listener's jobs' namespace (spark.openlineage.namespace, OpenLineage's default "default"):
    # the flow's steps go in the same one, so a step and its Spark jobs are one graph.
    namespace: str


def sink(conf: SparkConf) -> Sink | None:
    """Where a session's listener sends events (from its `conf`); None when lineage is off."""
    if conf.get("spark.openlineage.transport.type", None) != "http":
        return None
    url = conf.get("spark.openlineage.transport.url").rstrip("/")
    endpoint = conf.get("spark.openlineage.transport.endpoint", "/api/v1/lineage")
    headers = {"Content-Type": "application/json"}
    if conf.get("spark.openlineage.transport.auth.type", None) == "api_key":
        headers["Authorization"] = f"Bearer {conf.get('spark.openlineage.transport.auth.apiKey')}"
    return Sink(f"{url}{endpoint}", headers, conf.get("spark.openlineage.namespace", "default"))


def event(
    kind: str,
    namespace: str,
    job: str,
    run_id: str,
    inputs: list[str],
    outputs: list[str],
    parent: dict | None,
) -> dict:
    """An OpenLineage run event of `job` in `namespace` (START, COMPLETE or FAIL)."""
    facets = {}
    if parent:
        facets["parent"] = {
            "_producer": PRODUCER,
            "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/ParentRunFacet.json",
            "job": {"namespace": namespace, "name": parent["job"]},
            "run": {"runId": parent["run_id"]},
        }
    return {
        "eventType": kind,
        "eventTime": datetime.now(timezone.utc).isoformat(),
        "producer": PRODUCER,
        "schemaURL": SCHEMA_URL,
        "run": {"runId": run_id, "facets": facets},
        "job": {"namespace": namespace, "name": job},
        "inputs": [dataset(p) for p in inputs],
        "outputs": [dataset(p) for p in outputs],
    }


def send(target: Sink, body: dict) -> None:
    request = urllib.request.Request(
        target.url, json.dumps(body).encode(), target.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
            pass
    except Exception as error:  # lineage is a record of the work, never a reason for it to fail
        log.warning("lineage: %s of %s not recorded: %s", body["eventType"], body["job"]["name"], error)


@contextmanager
def step(
    spark: SparkSession,
    job: str,
    inputs: list[str],
    outputs: list[str],
    parent: dict | None = None,
) -> Iterator[None]:
    """Reports `job` as started, then as complete (or failed, re-raising), reading `inputs` and
    writing `outputs` (lake paths); `parent` is `{"job": ..., "run_id": ...}` of the flow run."""
    target = sink(spark.sparkContext.getConf())
    run_id = str(uuid.uuid4())
    if target:
        send(target, event("START", target.namespace, job, run_id, inputs, outputs, parent))
    try:
        yield
    except BaseException:
        if target:
            send(target, event("FAIL", target.namespace, job, run_id, inputs, outputs, parent))
        raise
    if target:
        send(target, event("COMPLETE", target.namespace, job, run_id, inputs, outputs, parent))
