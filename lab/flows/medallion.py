"""The lab's medallion pipeline as a Prefect flow: bronze (raw events) → silver (clean) → gold
(daily aggregates), each a Delta table in its bucket on MinIO.

Runs wherever the lab runtime runs; Spark, the lake and Prefect are configured by the environment
the lab injects (spark-defaults.conf, PREFECT_API_URL, PREFECT_API_AUTH_STRING). The Prefect worker
deploys it at start (deploy.py) with a concurrency limit of one, and the notebooks run it through
that deployment: Delta on S3 has no safe concurrent writers, so one run at a time writes the tables.

    python3 /opt/lab/flows/medallion.py    # run once here, tracked in the Prefect UI
"""

import random
import uuid
from datetime import datetime, timedelta, timezone

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

BRONZE = "s3a://bronze/events"
SILVER = "s3a://silver/events"
GOLD = "s3a://gold/daily_events"


def spark() -> SparkSession:
    # Master, Delta and S3A come from the lab's spark-defaults.conf.
    return SparkSession.builder.appName("medallion").getOrCreate()


def event_ids(batch: str, rows: int) -> list[str]:
    """Ids unique across runs (the batch is the flow run's id), so silver's dedupe drops only real
    duplicates and every run adds rows."""
    return [f"evt-{batch}-{i}" for i in range(rows)]


@task
def ingest_bronze(rows: int) -> int:
    """Raw events as they arrive: appended, never rewritten (bronze is also versioned in MinIO)."""
    start = datetime.now(timezone.utc) - timedelta(days=7)
    batch = flow_run.id or uuid.uuid4().hex
    events = [
        (
            event_id,
            random.choice(["view", "click", "purchase", "VIEW", None]),
            (start + timedelta(minutes=random.randint(0, 7 * 24 * 60))).isoformat(),
            round(random.uniform(1, 200), 2),
        )
        for event_id in event_ids(batch, rows)
    ]
    df = spark().createDataFrame(events, "event_id string, kind string, ts string, amount double")
    df.write.format("delta").mode("append").save(BRONZE)
    return df.count()


@task
def refine_silver() -> int:
    """Typed, cleaned and deduplicated events."""
    df = (
        spark()
        .read.format("delta")
        .load(BRONZE)
        .where(F.col("kind").isNotNull())
        .withColumn("kind", F.lower("kind"))
        .withColumn("ts", F.to_timestamp("ts"))
        .dropDuplicates(["event_id"])
    )
    df.write.format("delta").mode("overwrite").save(SILVER)
    return df.count()


@task
def aggregate_gold() -> int:
    """What the dashboard shows: events and revenue per day and kind."""
    df = (
        spark()
        .read.format("delta")
        .load(SILVER)
        .groupBy(F.to_date("ts").alias("day"), "kind")
        .agg(F.count("*").alias("events"), F.round(F.sum("amount"), 2).alias("amount"))
        .orderBy("day", "kind")
    )
    df.write.format("delta").mode("overwrite").save(GOLD)
    return df.count()


@flow(name="medallion")
def medallion(rows: int = 1000) -> dict:
    log = get_run_logger()
    counts = {"bronze": ingest_bronze(rows), "silver": refine_silver(), "gold": aggregate_gold()}
    log.info("medallion: %s", counts)
    return counts


if __name__ == "__main__":
    medallion()
