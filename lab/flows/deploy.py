"""Deploys the lab's flows on the lab's work pool; the Prefect worker runs this at start, so the
flows are in the Prefect UI after `pulumi up` without touching a notebook.

Each deployment allows one run at a time: Delta tables on S3 have no safe concurrent writers, so
the notebooks start the pipeline through its deployment instead of running it in their own driver.
The daily schedule is created paused; switch it on in the UI. Redeploying the same flows is
idempotent: it updates the deployment in place.

Needs PREFECT_API_URL (+ PREFECT_API_AUTH_STRING) and PREFECT_DEFAULT_WORK_POOL_NAME; writes
LAB_DEPLOYED_MARKER when done, which the worker's health check waits for.
"""

import os
import sys
import time
from pathlib import Path

from medallion import medallion

FLOWS = Path(__file__).resolve().parent
# The worker creates its pool when it starts, a moment after this script: wait that long at most.
POOL_TIMEOUT_SECONDS = float(os.environ.get("LAB_POOL_TIMEOUT_SECONDS", "300"))


def deploy() -> None:
    medallion.from_source(source=str(FLOWS), entrypoint="medallion.py:medallion").deploy(
        name="medallion",
        concurrency_limit=1,
        cron="0 3 * * *",
        paused=True,
        print_next_steps=False,
    )


def main() -> int:
    deadline = time.monotonic() + POOL_TIMEOUT_SECONDS
    while True:
        try:
            deploy()
            break
        except ValueError as error:  # "Could not find work pool …": the worker is still starting
            if "Could not find work pool" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(2)
    marker = os.environ.get("LAB_DEPLOYED_MARKER")
    if marker:
        Path(marker).parent.mkdir(parents=True, exist_ok=True)
        Path(marker).write_text("medallion\n")
    print("deployed: medallion/medallion", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
