"""The lab's lineage service: receives OpenLineage events at Marquez's path (POST /api/v1/lineage),
keeps them in its PostgreSQL database (whole, and the datasets each job read and wrote), and serves
the lake's lineage graph (GET /api/v1/graph): each job with the datasets it read and wrote, and the
dataset-to-dataset edges they make.

Spark's drivers send their events here (openlineage-spark's HTTP transport, with its `api_key`
auth: `Authorization: Bearer <key>`); the dashboard draws the graph. Every call but /health takes
the same generated key. Marquez's server is not on the registries the lab's tests reach, so the
lab keeps its own receiver; an event stream in OpenLineage's standard shape means Marquez (or any
OpenLineage consumer) can replace it by URL.

Environment: LINEAGE_DATABASE_URL_FILE (a file holding its SQLAlchemy URL), LINEAGE_API_KEY_FILE
(a file holding the key), LINEAGE_PORT. The table is services/postgres/lineage-schema.sql, which
PostgreSQL creates.
"""

from __future__ import annotations

import hmac
import json
import os
from typing import Any, Iterable

import sqlalchemy as sa
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# An event is a few kilobytes (a Spark plan's facets can make it tens): a cap that no real event
# reaches keeps a stray client from filling the database with one request.
MAX_EVENT_BYTES = 4 * 1024 * 1024


def dataset_id(dataset: dict[str, Any]) -> str:
    """A dataset's identity as OpenLineage names it: `<namespace>/<name>`, e.g. `s3://silver/sales`."""
    namespace, name = dataset.get("namespace", ""), dataset.get("name", "")
    return f"{namespace.rstrip('/')}/{name.lstrip('/')}" if namespace else name


def table_name(dataset: dict[str, Any]) -> str | None:
    """The catalog name (`silver.sales`) openlineage-spark attaches as a symlink, if any."""
    symlinks = (dataset.get("facets") or {}).get("symlinks") or {}
    for identifier in symlinks.get("identifiers") or []:
        if identifier.get("type") == "TABLE" and identifier.get("name"):
            return identifier["name"]
    return None


def datasets(event: dict[str, Any], side: str) -> list[dict[str, str]]:
    """The datasets an event's job read (`inputs`) or wrote (`outputs`), each as its identity
    and label (the table name where one is known): what the graph needs of the event, kept beside
    it so the graph never reads whole events (a Spark event's plan facets can be large)."""
    return [
        {"id": dataset_id(d), "label": table_name(d) or dataset_id(d)}
        for d in event.get(side) or []
        if isinstance(d, dict)
    ]


def graph(rows: Iterable[tuple[str, str, list, list, str]]) -> dict[str, Any]:
    """The lineage graph from each job's (namespace, name, inputs, outputs, last event time) as
    stored: every dataset with its label, every job with what it read and wrote, and an edge from
    each dataset a job read to each it wrote (a MERGE that reports its target as its input too
    makes no edge to itself)."""
    labels: dict[str, str] = {}
    jobs: dict[tuple[str, str], dict[str, Any]] = {}
    for namespace, name, inputs, outputs, last in rows:
        entry = jobs.setdefault(
            (namespace or "", name),
            {"namespace": namespace or "", "name": name, "inputs": set(), "outputs": set(), "last": ""},
        )
        for side, found in (("inputs", inputs), ("outputs", outputs)):
            for dataset in found:
                # A table name, once known, wins over the path it stands for.
                if dataset["label"] != dataset["id"] or dataset["id"] not in labels:
                    labels[dataset["id"]] = dataset["label"]
                entry[side].add(dataset["id"])
        entry["last"] = max(entry["last"], str(last or ""))
    edges = sorted(
        {
            (source, target, name)
            for (_, name), job in jobs.items()
            for source in job["inputs"]
            for target in job["outputs"]
            if source != target
        }
    )
    return {
        "datasets": [{"id": i, "label": label} for i, label in sorted(labels.items())],
        "jobs": [
            {**job, "inputs": sorted(job["inputs"]), "outputs": sorted(job["outputs"])}
            for _, job in sorted(jobs.items())
        ],
        "edges": [{"source": s, "target": t, "job": j} for s, t, j in edges],
    }


def create_app(engine: sa.Engine, api_key: str) -> Starlette:
    expected = f"Bearer {api_key}".encode()

    def allowed(request: Request) -> bool:
        given = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(given, expected)

    def refused() -> Response:
        return JSONResponse({"error": "an API key is required (Authorization: Bearer <key>)"}, 401)

    async def receive(request: Request) -> Response:
        if not allowed(request):
            return refused()
        body = await request.body()
        if len(body) > MAX_EVENT_BYTES:
            return JSONResponse({"error": f"an event is at most {MAX_EVENT_BYTES} bytes"}, 413)
        try:
            event = json.loads(body)
        except ValueError:
            return JSONResponse({"error": "the body is not JSON"}, 400)
        if not isinstance(event, dict) or not event.get("eventTime"):
            return JSONResponse({"error": "not an OpenLineage event (no eventTime)"}, 400)
        job, run = event.get("job") or {}, event.get("run") or {}
        with engine.begin() as db:
            db.execute(
                sa.text(
                    "INSERT INTO lineage_events (event_time, event_type, run_id, job_namespace,"
                    " job_name, inputs, outputs, event) VALUES (CAST(:time AS timestamptz), :type,"
                    " :run, :namespace, :name, CAST(:inputs AS jsonb), CAST(:outputs AS jsonb),"
                    " CAST(:event AS jsonb))"
                ),
                {
                    "time": event["eventTime"],
                    "type": event.get("eventType"),
                    "run": run.get("runId"),
                    "namespace": job.get("namespace"),
                    "name": job.get("name"),
                    "inputs": json.dumps(datasets(event, "inputs")),
                    "outputs": json.dumps(datasets(event, "outputs")),
                    "event": json.dumps(event),
                },
            )
        # Marquez answers 201 with no body.
        return Response(status_code=201)

    def lineage_graph(request: Request) -> Response:
        if not allowed(request):
            return refused()
        with engine.connect() as db:
            # One row per job and distinct inputs and outputs: as many as the lab has jobs, not
            # events.
            rows = db.execute(
                sa.text(
                    "SELECT job_namespace, job_name, inputs, outputs, max(event_time)::text"
                    " FROM lineage_events WHERE job_name IS NOT NULL"
                    " AND (inputs <> '[]'::jsonb OR outputs <> '[]'::jsonb)"
                    " GROUP BY job_namespace, job_name, inputs, outputs"
                )
            )
            return JSONResponse(graph(tuple(row) for row in rows))

    def health(_: Request) -> Response:
        with engine.connect() as db:
            db.execute(sa.text("SELECT 1 FROM lineage_events LIMIT 1"))
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/api/v1/lineage", receive, methods=["POST"]),
            Route("/api/v1/graph", lineage_graph, methods=["GET"]),
            Route("/health", health, methods=["GET"]),
        ]
    )


def secret(variable: str) -> str:
    """The secret in the file the environment variable `variable` names."""
    with open(os.environ[variable], encoding="utf-8") as f:
        return f.read().strip()


def main() -> None:
    engine = sa.create_engine(
        secret("LINEAGE_DATABASE_URL_FILE"), pool_pre_ping=True, pool_size=2, max_overflow=2
    )
    app = create_app(engine, secret("LINEAGE_API_KEY_FILE"))
    uvicorn.run(app, host="0.0.0.0", port=int(os.environ["LINEAGE_PORT"]), log_level="info")


if __name__ == "__main__":
    main()
