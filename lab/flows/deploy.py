"""Deploys the lab's flows on the lab's work pool; the Prefect worker runs this at start, so the
flows are in the Prefect UI after `pulumi up` without touching a notebook:

    medallion/medallion                 the whole pipeline, one more day of sales (medallion.py)
    bronze-to-silver/bronze-to-silver   the bronze → silver ETL, with task retries (bronze_to_silver.py)

Each deployment allows one run at a time and has a daily schedule, created paused (switch it on in
the UI). Delta tables on S3 have no safe concurrent writers, so besides that every lake write of
the flows and notebooks takes the one slot of the global concurrency limit `lakehouse-writer`,
created here (or set back to one slot). Redeploying is idempotent: it updates the deployments in place.

Needs PREFECT_API_URL (+ PREFECT_API_AUTH_STRING) and PREFECT_DEFAULT_WORK_POOL_NAME; writes
LAB_DEPLOYED_MARKER when done, which the worker's health check waits for.
"""

import os
import sys
import time
from pathlib import Path

from prefect.client.orchestration import get_client

import lakehouse
from bronze_to_silver import bronze_to_silver
from medallion import medallion

FLOWS = Path(__file__).resolve().parent
# The worker creates its pool when it starts, a moment after this script: wait that long at most.
POOL_TIMEOUT_SECONDS = float(os.environ.get("LAB_POOL_TIMEOUT_SECONDS", "300"))

# (flow, entrypoint, deployment name, daily cron): the order they appear in the UI.
DEPLOYMENTS = [
    (medallion, "medallion.py:medallion", "medallion", "0 3 * * *"),
    (bronze_to_silver, "bronze_to_silver.py:bronze_to_silver", "bronze-to-silver", "0 2 * * *"),
]


def deploy() -> list[str]:
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(lakehouse.WRITER_LIMIT, 1)
    names = []
    for flow, entrypoint, name, cron in DEPLOYMENTS:
        flow.from_source(source=str(FLOWS), entrypoint=entrypoint).deploy(
            name=name,
            concurrency_limit=1,
            cron=cron,
            paused=True,
            print_next_steps=False,
        )
        names.append(f"{flow.name}/{name}")
    return names


def main() -> int:
    deadline = time.monotonic() + POOL_TIMEOUT_SECONDS
    while True:
        try:
            names = deploy()
            break
        except ValueError as error:  # "Could not find work pool …": the worker is still starting
            if "Could not find work pool" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(2)
    marker = os.environ.get("LAB_DEPLOYED_MARKER")
    if marker:
        Path(marker).parent.mkdir(parents=True, exist_ok=True)
        Path(marker).write_text("\n".join(names) + "\n")
    print(f"deployed: {', '.join(names)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
