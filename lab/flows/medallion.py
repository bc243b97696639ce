"""The lab's whole medallion pipeline as a Prefect flow: the next day of sample sales lands in
bronze, with the orders NiFi landed since the last run, is refined into silver (validated,
deduplicated, MERGEd: only the rows bronze gained, read from its change data feed), checked (a
quality gate, its result a Prefect artifact) and aggregated into gold, joined with the customers
dimension, each a Delta table in its bucket on MinIO. The steps are lakehouse.py's, the ones the
notebooks show; each reports what it read and wrote to the lineage service (lineage.py).

Runs wherever the lab runtime runs; Spark, the lake and Prefect are configured by the environment
the lab injects (spark-defaults.conf, PREFECT_API_URL, PREFECT_API_AUTH_STRING). The Prefect worker
deploys it at start (deploy.py): one run at a time, a daily schedule left paused.

    python3 /opt/lab/flows/medallion.py    # run once here, tracked in the Prefect UI
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect import runtime
from prefect.artifacts import create_table_artifact

import lakehouse
import lineage

# The flow's name: its runs are the parent of its steps' lineage jobs (`medallion.<step>`).
FLOW = "medallion"


def step(spark, name: str, inputs: list[str], outputs: list[str]):
    """This flow run's step `name` in the lineage graph, reading `inputs`, writing `outputs`."""
    parent = {"job": FLOW, "run_id": str(runtime.flow_run.id)} if runtime.flow_run.id else None
    return lineage.step(spark, f"{FLOW}.{name}", inputs, outputs, parent)


@task
def land_bronze(day: int | None) -> dict:
    """Lands one day of raw sales (the day after the last one in bronze unless given); a day
    already in bronze is not landed twice."""
    spark = lakehouse.spark(FLOW)
    day = day or lakehouse.next_day(spark)
    batch = lakehouse.day_batch(day)
    # The sample is generated here: bronze is where its lineage starts.
    with step(spark, "land_bronze", [], [lakehouse.BRONZE]):
        rows = lakehouse.land_batch(spark, batch, lakehouse.sales_batch(day))
    return {"batch": batch, "rows": rows}


@task
def ingest_landings() -> int:
    """The orders NiFi landed under bronze/landing/nifi/ since the last run, into bronze."""
    spark = lakehouse.spark(FLOW)
    with step(spark, "ingest_landings", [lakehouse.LANDING], [lakehouse.BRONZE]):
        return lakehouse.ingest_landings(spark)


@task
def refine_silver() -> dict:
    spark = lakehouse.spark(FLOW)
    with step(spark, "refine_silver", [lakehouse.BRONZE], [lakehouse.SILVER, lakehouse.REJECTED]):
        return lakehouse.refine_silver(spark)


# The key of the gate's result in Prefect's Artifacts page (one entry per run, the latest on top).
QUALITY_ARTIFACT = "medallion-quality"


@task
def quality_gate() -> list[dict]:
    """Silver's checks (lakehouse.quality_checks), published as a table artifact of this run; a
    failed check fails the run here, before gold is rebuilt from a silver that is wrong."""
    checks = lakehouse.quality_checks(lakehouse.spark(FLOW))
    create_table_artifact(
        checks, key=QUALITY_ARTIFACT, description="Silver's quality checks before gold is rebuilt"
    )
    failed = [c["check"] for c in checks if not c["passed"]]
    if failed:
        raise RuntimeError(f"silver failed its quality checks: {', '.join(failed)}")
    return checks


@task
def conform_customers() -> dict:
    spark = lakehouse.spark(FLOW)
    # The dimension is the sample's own (like bronze's sales): its lineage starts here.
    with step(spark, "conform_customers", [], [lakehouse.CUSTOMERS]):
        return lakehouse.conform_customers(spark)


@task
def aggregate_gold() -> dict:
    spark = lakehouse.spark(FLOW)
    inputs = [lakehouse.SILVER, lakehouse.CUSTOMERS]
    with step(spark, "aggregate_gold", inputs, list(lakehouse.GOLD.values())):
        return lakehouse.aggregate_gold(spark)


@flow(name=FLOW)
def medallion(day: int | None = None) -> dict:
    """bronze → silver → gold for one more day of sales."""
    log = get_run_logger()
    result = {
        "bronze": land_bronze(day),
        "landings": ingest_landings(),
        "silver": refine_silver(),
        "quality": quality_gate(),
        "customers": conform_customers(),
        "gold": aggregate_gold(),
    }
    log.info("medallion: %s", result)
    return result


if __name__ == "__main__":
    medallion()
