"""The lab's lakehouse, shared by the notebooks (lab/notebooks) and the Prefect flows: sample sales
generated here (deterministic, nothing downloaded), and the steps that take them from bronze to
gold. Each step is a plain function of a SparkSession, so a notebook shows and runs exactly what a
flow runs.

    bronze  s3a://bronze/sales            raw rows as they arrived, strings, appended, never
                                          rewritten; silver reads its change data feed (new rows)
    silver  s3a://silver/sales            typed, valid, one row per order (MERGE: late data and
                                          corrections update it in place)
            s3a://silver/sales_rejected   rows that failed validation, with the reason, kept aside
            s3a://silver/customers        a dimension: who the customers are (segment, since when)
            s3a://silver/clickstream      the click events streamed into bronze, each once, typed
    gold    s3a://gold/sales_by_category, sales_by_region, daily_sales   what the dashboard shows
            s3a://gold/sales_by_segment   silver's orders joined with the customers dimension

Each is also a table by name in the lab's catalog (`bronze.sales`, `silver.sales`, `gold.daily_sales`,
...: TABLES), which every notebook, flow and SQL session shares: a database per layer, located in
its bucket, and each table an external Delta table over its path (`register`).

Delta on S3 has no safe concurrent writers, so every write here happens inside `one_writer()`: a
Prefect global concurrency limit of one slot that the flows and the notebooks share (deploy.py
creates it).

LAB_LAKE (tests only) puts the three buckets under another root, e.g. file:///tmp/lake.
"""

from __future__ import annotations

import contextlib
import os
import random
from datetime import datetime, timedelta
from typing import Callable, Iterator

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

# The lake's root: MinIO's buckets (`s3a://bronze/...`) in the lab; a local directory in the tests
# (LAB_LAKE). Not "s3a:/".rstrip("/"), which would be "s3a:" and lose the bucket.
LAKE = os.environ.get("LAB_LAKE", "").rstrip("/") or "s3a:/"
BRONZE = f"{LAKE}/bronze/sales"
SILVER = f"{LAKE}/silver/sales"
REJECTED = f"{LAKE}/silver/sales_rejected"
# How far silver has read bronze's change data feed: the checkpoint of refine_silver's stream.
SILVER_CHECKPOINT = f"{LAKE}/silver/_checkpoints/sales"
# Bronze records its changes (Delta's change data feed), which silver's refinement reads. Set when
# bronze is created; a bronze made before this (a kept lake) gets it from `feed_changes`.
CHANGE_FEED = "delta.enableChangeDataFeed"
GOLD_BY_CATEGORY = f"{LAKE}/gold/sales_by_category"
GOLD_BY_REGION = f"{LAKE}/gold/sales_by_region"
GOLD_DAILY = f"{LAKE}/gold/daily_sales"
GOLD_BY_SEGMENT = f"{LAKE}/gold/sales_by_segment"
GOLD = {
    "sales_by_category": GOLD_BY_CATEGORY,
    "sales_by_region": GOLD_BY_REGION,
    "daily_sales": GOLD_DAILY,
    "sales_by_segment": GOLD_BY_SEGMENT,
}
# The customers dimension gold joins the orders with (conform_customers).
CUSTOMERS = f"{LAKE}/silver/customers"
# What NiFi's lab flow lands (services/nifi/lab-flow.json): one JSON order a file, every value a
# string, under landing/nifi/<yyyy>/<MM>/<dd>/; the medallion flow ingests them into bronze
# (`ingest_landings`), remembering in its checkpoint which files it took.
LANDING = f"{LAKE}/bronze/landing/nifi"
LANDING_FILES = f"{LANDING}/*/*/*"
LANDING_CHECKPOINT = f"{LAKE}/bronze/_checkpoints/landing_nifi"
LANDING_SCHEMA = (
    "order_id string, order_ts string, category string, region string, quantity string, "
    "unit_price string, source string"
)
# The batch of bronze the landed orders are rows of.
LANDED_BATCH = "nifi"
# Events streamed from Kafka (streaming.ipynb), with the stream's checkpoint beside them.
CLICKSTREAM = f"{LAKE}/bronze/clickstream"
CLICKSTREAM_CHECKPOINT = f"{LAKE}/bronze/_checkpoints/clickstream"
# The stream continued: bronze's events, each once and of a known kind (refine_clickstream).
SILVER_CLICKSTREAM = f"{LAKE}/silver/clickstream"
SILVER_CLICKSTREAM_CHECKPOINT = f"{LAKE}/silver/_checkpoints/clickstream"
EVENT_KINDS = ("view", "cart", "purchase")

# The catalog's name of each table: `<layer>.<table>`, the database named after its bucket.
TABLES = {
    "bronze.sales": BRONZE,
    "bronze.clickstream": CLICKSTREAM,
    "silver.sales": SILVER,
    "silver.sales_rejected": REJECTED,
    "silver.customers": CUSTOMERS,
    "silver.clickstream": SILVER_CLICKSTREAM,
    **{f"gold.{name}": path for name, path in GOLD.items()},
}

# What every row of silver's orders is, held by the table itself (a Delta CHECK constraint): a write
# that breaks it fails whole, whoever makes it (a flow, a notebook, an SQL client), so silver keeps
# validate()'s rules however it is written. Set after the sample's CATEGORIES and REGIONS below.
SILVER_CONSTRAINT = "valid_order"

# The quality gate's limit on the share of raw rows set aside (the sample's defects are 1 in 20).
MAX_REJECTED_SHARE = 0.1

# The Prefect global concurrency limit every lake write takes (one slot).
WRITER_LIMIT = "lakehouse-writer"

CATEGORIES = ("books", "electronics", "garden", "home", "sports", "toys")
REGIONS = ("east", "north", "south", "west")
# What the samples of a category cost, about (the price varies ±20 %).
BASE_PRICE = {
    "books": 18.0,
    "electronics": 240.0,
    "garden": 45.0,
    "home": 65.0,
    "sports": 55.0,
    "toys": 25.0,
}
# The sample's customers (c0001 …) and the segments the dimension puts them in.
CUSTOMER_COUNT = 250
SEGMENTS = ("consumer", "small business", "enterprise")
# Gold's segment of an order of no known customer (NiFi's landed orders).
NO_SEGMENT = "unknown"
FIRST_DAY = datetime(2025, 1, 1)
ROWS_PER_DAY = 400
# The days the bronze notebook lands on a fresh lab; the medallion flow lands the next ones.
SAMPLE_DAYS = (1, 2, 3)
LATE_BATCH = "late-001"

# Raw rows arrive as strings (as from CSV or JSON), with the batch they came in.
RAW_SCHEMA = (
    "order_id string, order_ts string, updated_at string, customer_id string, category string, "
    "region string, quantity string, unit_price string, _batch string"
)
RAW_COLUMNS = [c.split()[0] for c in RAW_SCHEMA.split(", ")]


def silver_rule() -> str:
    """SILVER_CONSTRAINT's condition: validate()'s rules on silver's typed columns."""
    listed = lambda values: ", ".join(f"'{v}'" for v in values)  # noqa: E731
    return (
        f"quantity > 0 AND category IN ({listed(CATEGORIES)}) AND region IN ({listed(REGIONS)})"
        " AND order_time IS NOT NULL"
    )


def day_batch(day: int) -> str:
    return f"day-{day:03d}"


def _row(order_id: str, ts: datetime, updated: datetime, rng: random.Random, batch: str) -> dict:
    category = rng.choice(CATEGORIES)
    region = rng.choice(REGIONS)
    # A pattern for the ML example to find: orders from the north, in the evening and of cheap
    # things are more often of more than one unit.
    bulk = (region == "north") + (ts.hour >= 18) + (BASE_PRICE[category] < 50)
    quantity = 1 + min(4, int(rng.expovariate(2.2 - 0.7 * bulk)))
    price = round(BASE_PRICE[category] * rng.uniform(0.8, 1.2), 2)
    return {
        "order_id": order_id,
        "order_ts": ts.isoformat(timespec="seconds"),
        "updated_at": updated.isoformat(timespec="seconds"),
        "customer_id": f"c{rng.randint(1, CUSTOMER_COUNT):04d}",
        "category": category,
        "region": region,
        "quantity": str(quantity),
        "unit_price": f"{price:.2f}",
        "_batch": batch,
    }


# Every 20th row of a day is broken in one of these ways (in turn), and every 25th is sent twice.
DEFECTS = ("missing category", "quantity not positive", "unknown region", "unparsable time")


def sales_batch(day: int, rows: int = ROWS_PER_DAY) -> list[dict]:
    """One day of raw sales: the same rows for the same day, always (seeded by the day).

    Of `rows` orders, one in 20 is invalid (DEFECTS, in turn) and one in 25 arrives twice, so a
    day of 400 lands 416 rows in bronze and gives 380 valid orders and 20 rejected rows.
    """
    rng = random.Random(day)
    start = FIRST_DAY + timedelta(days=day - 1)
    batch = day_batch(day)
    out, again = [], []
    for i in range(rows):
        ts = start + timedelta(seconds=rng.randint(0, 86_399))
        row = _row(f"o{day:03d}-{i:04d}", ts, ts, rng, batch)
        if i % 20 == 3:
            defect = DEFECTS[(i // 20) % len(DEFECTS)]
            if defect == "missing category":
                row["category"] = None
            elif defect == "quantity not positive":
                row["quantity"] = "-1"
            elif defect == "unknown region":
                row["region"] = "atlantis"
            else:
                row["order_ts"] = "yesterday"
        elif i % 25 == 5:
            again.append(dict(row))
        out.append(row)
    return out + again


def customers() -> list[dict]:
    """The customers dimension: every customer of the sample, with its segment, home region and the
    day it became a customer; the same rows every time (seeded)."""
    rng = random.Random(250)
    return [
        {
            "customer_id": f"c{i:04d}",
            "segment": rng.choices(SEGMENTS, weights=(6, 3, 1))[0],
            "home_region": rng.choice(REGIONS),
            "customer_since": (FIRST_DAY - timedelta(days=rng.randint(30, 1500))).date(),
        }
        for i in range(1, CUSTOMER_COUNT + 1)
    ]


def late_batch() -> list[dict]:
    """Data that arrives late: 10 corrections of day 1's orders (new quantity, later updated_at)
    and 10 orders of day 1 that were missing from its batch. MERGE updates the first, inserts the
    second."""
    rng = random.Random(1_000)
    day1 = {r["order_id"]: r for r in sales_batch(1)}
    arrived = FIRST_DAY + timedelta(days=2, hours=6)
    corrections = []
    for i in (0, 1, 2, 4, 6, 7, 8, 9, 10, 11):  # valid orders of day 1 (3 is a broken one)
        row = dict(day1[f"o001-{i:04d}"], _batch=LATE_BATCH)
        row["quantity"] = str(int(row["quantity"]) + 1)
        row["updated_at"] = arrived.isoformat(timespec="seconds")
        corrections.append(row)
    missing = [
        _row(f"o001-late-{j:02d}", FIRST_DAY + timedelta(hours=9 + j), arrived, rng, LATE_BATCH)
        for j in range(10)
    ]
    return corrections + missing


def expected_counts(days: list[int], late: bool, landed: list[dict] = ()) -> dict:
    """What bronze, silver and the rejected rows hold once these batches (and the orders NiFi
    `landed`, as landed) are in bronze and silver is refined (the end-to-end test checks the lab
    against it)."""
    rows = (
        [r for d in days for r in sales_batch(d)]
        + (late_batch() if late else [])
        + [landed_raw(o) for o in landed]
    )
    orders = {r["order_id"] for r in rows if validity(r) is None}
    rejected = {tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows if validity(r)}
    return {"bronze": len(rows), "silver": len(orders), "rejected": len(rejected)}


def validity(row: dict) -> str | None:
    """Why a raw row is invalid (the Python twin of `validate`'s rules), or None."""
    if not row["category"] or row["category"] not in CATEGORIES:
        return "missing category"
    if row["region"] not in REGIONS:
        return "unknown region"
    if int(row["quantity"]) <= 0:
        return "quantity not positive"
    try:
        datetime.fromisoformat(row["order_ts"])
    except ValueError:
        return "unparsable time"
    return None


def spark(app: str = "lakehouse") -> SparkSession:
    # Master, Delta and S3A come from the lab's spark-defaults.conf.
    return SparkSession.builder.appName(app).getOrCreate()


def exists(spark: SparkSession, path: str) -> bool:
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, path)


def ensure_table(rows: DataFrame, path: str) -> bool:
    """Creates the Delta table at `path` empty, with these rows' schema, if there is none; True if
    it did. The rows are written by the caller's MERGE, so a table always exists to MERGE into."""
    if exists(rows.sparkSession, path):
        return False
    rows.limit(0).write.format("delta").save(path)
    return True


def properties(spark: SparkSession, path: str) -> dict[str, str]:
    """The Delta table's properties at `path` (its feed switch and constraints among them)."""
    rows = spark.sql(f"SHOW TBLPROPERTIES delta.`{path}`").collect()
    return {r["key"]: r["value"] for r in rows}


def drain(
    stream: DataFrame, refine: Callable[[DataFrame], int], checkpoint: str, name: str
) -> int:
    """Runs a stream until it has read what is there (`availableNow`) from where its checkpoint
    left off, each micro-batch handed to `refine` (which returns the rows it read). Returns the rows
    this run read: `numInputRows` would count each of the batch's reads, not its rows."""
    read = []
    query = (
        stream.writeStream.foreachBatch(lambda batch, _: read.append(refine(batch)))
        .option("checkpointLocation", checkpoint)
        .trigger(availableNow=True)
        .queryName(name)
        .start()
    )
    query.awaitTermination()
    return sum(read)


def register(spark: SparkSession, *names: str) -> list[str]:
    """Names these tables (all of TABLES by default) in the catalog, those that exist in the lake,
    and returns them. A layer is a database located at its bucket, so a table a user creates in it
    by name lands beside the lab's; a lab table is external, over its path: the path stays what the
    steps write and the dashboard reads, dropping the name never deletes the data, and a lake kept
    without its catalog is named again by the next run. Catalog writes are serialised with the
    lake's (the caller holds `one_writer()`), so two sessions never create the same name at once."""
    named = []
    for name in names or TABLES:
        path = TABLES[name]
        if not exists(spark, path):
            continue
        layer = name.split(".")[0]
        spark.sql(f"CREATE DATABASE IF NOT EXISTS {layer} LOCATION '{LAKE}/{layer}/'")
        spark.sql(f"CREATE TABLE IF NOT EXISTS {name} USING delta LOCATION '{path}'")
        named.append(name)
    return named


@contextlib.contextmanager
def one_writer(timeout_seconds: float = 1800) -> Iterator[None]:
    """Holds the lake's one write slot (a Prefect global concurrency limit) while writing, so a
    notebook and a flow never commit to the same Delta table at once. Without Prefect (switched
    off, or the limit not created) it does nothing."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        yield
        return
    from prefect.concurrency.sync import concurrency

    with concurrency(WRITER_LIMIT, occupy=1, timeout_seconds=timeout_seconds):
        yield


# ---------------------------------------------------------------------------------------- bronze


def landed_batches(spark: SparkSession) -> set[str]:
    if not exists(spark, BRONZE):
        return set()
    batches = spark.read.format("delta").load(BRONZE).select("_batch").distinct().collect()
    return {r["_batch"] for r in batches}


def land_batch(spark: SparkSession, batch: str, rows: list[dict]) -> int:
    """Lands a batch once: a batch already in bronze is not appended again (0). Whether it is there
    is read while holding the write slot, so two sessions landing the same batch at once (two
    notebooks, a notebook and a flow run) land it once: the second finds the first's rows."""
    with one_writer():
        if batch in landed_batches(spark):
            return 0
        return append_raw(spark, rows)


def append_raw(spark: SparkSession, rows: list[dict]) -> int:
    """Appends raw rows to bronze, with the time they were ingested. Returns how many. The caller
    holds the write slot (`one_writer()`, which is not reentrant)."""
    df = spark.createDataFrame([[r[c] for c in RAW_COLUMNS] for r in rows], RAW_SCHEMA)
    df = df.withColumn("_ingested_at", F.current_timestamp())
    # The option is a table property where this write creates bronze (no extra commit).
    df.write.format("delta").mode("append").option(CHANGE_FEED, "true").save(BRONZE)
    register(spark, "bronze.sales")
    return len(rows)


def land_days(spark: SparkSession, days=SAMPLE_DAYS) -> dict[str, int]:
    """Lands each sample day not yet in bronze, one commit (one Delta version) per day; returns
    the rows appended per day (0: already there). Bronze's batches are read once first, so a re-run
    with every day there takes no write slot; the days missing are checked again and appended in one
    hold of the slot, so two sessions landing the same days at once land each once."""
    batches = {day_batch(d): d for d in days}
    appended = dict.fromkeys(batches, 0)
    if set(batches) <= landed_batches(spark):
        return appended
    with one_writer():
        there = landed_batches(spark)
        for batch, day in batches.items():
            if batch not in there:
                appended[batch] = append_raw(spark, sales_batch(day))
    return appended


def landed_raw(order: dict) -> dict:
    """A landed order (LANDING_SCHEMA) as a raw bronze row: NiFi's orders are new when they land
    (updated when placed), of no known customer, in the batch `nifi`."""
    return {
        **{c: order.get(c) for c in RAW_COLUMNS},
        "updated_at": order.get("order_ts"),
        "customer_id": None,
        "_batch": LANDED_BATCH,
    }


def ingest_landings(spark: SparkSession) -> int:
    """NiFi's landings → bronze: every order NiFi put under landing/nifi/ since the last call,
    appended to bronze as a raw row (`landed_raw`). A file stream with a checkpoint, run until it
    has read what is there (`availableNow`), so each file is ingested once however often this runs,
    and a run that fails halfway starts again from the checkpoint. Returns the rows appended."""
    jvm = spark.sparkContext._jvm
    landing = jvm.org.apache.hadoop.fs.Path(LANDING)
    if not landing.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(landing):
        return 0
    orders = spark.readStream.schema(LANDING_SCHEMA).option("pathGlobFilter", "*.json").json(
        LANDING_FILES
    )
    raw = orders.select(
        "order_id",
        "order_ts",
        F.col("order_ts").alias("updated_at"),
        F.lit(None).cast("string").alias("customer_id"),
        "category",
        "region",
        "quantity",
        "unit_price",
        F.lit(LANDED_BATCH).alias("_batch"),
        F.current_timestamp().alias("_ingested_at"),
    )
    with one_writer():
        query = (
            raw.writeStream.format("delta")
            .outputMode("append")
            .option("checkpointLocation", LANDING_CHECKPOINT)
            .trigger(availableNow=True)
            .queryName("nifi-landings")
            .start(BRONZE)
        )
        query.awaitTermination()
        register(spark, "bronze.sales")
    return sum(p["numInputRows"] for p in query.recentProgress)


def next_day(spark: SparkSession) -> int:
    days = [int(b.split("-")[1]) for b in landed_batches(spark) if b.startswith("day-")]
    return max(days, default=0) + 1


# ---------------------------------------------------------------------------------------- silver


def validate(raw: DataFrame) -> DataFrame:
    """Raw rows with typed columns and `_reason`: why the row is invalid, or null.

    Spark 4 runs SQL in ANSI mode, where a cast of a malformed value (an order time of
    "yesterday") fails the whole job; the try_ forms give null instead, which the checks below
    turn into a reason, so a bad row is set aside rather than stopping the pipeline."""
    typed = (
        raw.withColumn("order_time", F.try_to_timestamp("order_ts"))
        .withColumn("updated_time", F.try_to_timestamp("updated_at"))
        .withColumn("qty", F.col("quantity").try_cast("int"))
        .withColumn("price", F.col("unit_price").try_cast("decimal(10,2)"))
    )
    reason = (
        F.when(
            F.col("category").isNull() | ~F.col("category").isin(*CATEGORIES), "missing category"
        )
        .when(~F.col("region").isin(*REGIONS), "unknown region")
        .when(F.col("qty").isNull() | (F.col("qty") <= 0), "quantity not positive")
        .when(F.col("order_time").isNull(), "unparsable time")
    )
    return typed.withColumn("_reason", reason)


def clean(valid: DataFrame) -> DataFrame:
    """One row per order, its latest version (exact duplicates and superseded versions dropped),
    in silver's columns and types."""
    latest = Window.partitionBy("order_id").orderBy(
        F.col("updated_time").desc(), F.col("_ingested_at").desc()
    )
    return (
        valid.withColumn("_n", F.row_number().over(latest))
        .where("_n = 1")
        .select(
            "order_id",
            "order_time",
            "updated_time",
            "customer_id",
            "category",
            "region",
            F.col("qty").alias("quantity"),
            F.col("price").alias("unit_price"),
            (F.col("qty") * F.col("price")).cast("decimal(12,2)").alias("revenue"),
            F.to_date("order_time").alias("order_date"),
        )
    )


def feed_changes(spark: SparkSession) -> None:
    """Switches bronze's change data feed on if it is off (a bronze made by an earlier lab): one
    commit, once. The caller holds the write slot."""
    if properties(spark, BRONZE).get(CHANGE_FEED) != "true":
        spark.sql(f"ALTER TABLE delta.`{BRONZE}` SET TBLPROPERTIES ({CHANGE_FEED} = true)")


def constrain_silver(spark: SparkSession) -> None:
    """Adds SILVER_CONSTRAINT to silver where it lacks it (a silver just created, or one kept from
    an older lab: Delta checks the rows already there first). The caller holds the write slot."""
    if f"delta.constraints.{SILVER_CONSTRAINT}" not in properties(spark, SILVER):
        rule = f"CONSTRAINT {SILVER_CONSTRAINT} CHECK ({silver_rule()})"
        spark.sql(f"ALTER TABLE delta.`{SILVER}` ADD {rule}")


def refine_changes(changes: DataFrame) -> int:
    """One batch of bronze's change data feed into silver: each new raw row validated, the invalid
    ones added to sales_rejected (with the reason), the latest version of each valid order MERGEd
    into silver: a new order is inserted, a correction (a newer updated_at) updates its row, a
    replay changes nothing. Both writes are MERGEs keyed on what they hold, so a batch the stream
    runs again (after a failure before its checkpoint) adds nothing twice. Returns the raw rows
    it refined."""
    from delta.tables import DeltaTable

    spark = changes.sparkSession
    # Bronze is append-only: its changes are inserts (a row deleted from bronze stays in silver).
    # Kept in memory for the batch: both MERGEs and the count read it, bronze's files once.
    raw = changes.where("_change_type = 'insert'").select(*RAW_COLUMNS, "_ingested_at").persist()
    checked = validate(raw)
    orders = clean(checked.where(F.col("_reason").isNull()))
    rejected = (
        checked.where(F.col("_reason").isNotNull()).select(*RAW_COLUMNS, "_reason").distinct()
    )
    if ensure_table(orders, SILVER):
        constrain_silver(spark)
    ensure_table(rejected, REJECTED)
    same_row = " AND ".join(f"t.{c} <=> s.{c}" for c in (*RAW_COLUMNS, "_reason"))
    DeltaTable.forPath(spark, REJECTED).alias("t").merge(
        rejected.alias("s"), same_row
    ).whenNotMatchedInsertAll().execute()
    (
        DeltaTable.forPath(spark, SILVER)
        .alias("t")
        .merge(orders.alias("s"), "t.order_id = s.order_id")
        .whenMatchedUpdateAll(condition="s.updated_time > t.updated_time")
        .whenNotMatchedInsertAll()
        .execute()
    )
    refined = raw.count()
    raw.unpersist()
    return refined


def refine_silver(spark: SparkSession) -> dict[str, int]:
    """Bronze → silver, incrementally: the rows bronze gained since the last refinement, read from
    its change data feed by a stream with a checkpoint (SILVER_CHECKPOINT), run until it has read
    what is there (`availableNow`), each batch refined by `refine_changes`. The stream's first run
    reads the whole of bronze; later ones only what was appended since, so a run costs the new
    data, not the lake. Returns the bronze rows this run read, the orders its MERGEs inserted and
    updated, and the tables' sizes."""
    from delta.tables import DeltaTable

    def version(path: str) -> int:
        if not exists(spark, path):
            return -1
        return DeltaTable.forPath(spark, path).history(1).first()["version"]

    with one_writer():
        feed_changes(spark)
        if exists(spark, SILVER):
            constrain_silver(spark)
        before = version(SILVER)
        changes = spark.readStream.format("delta").option("readChangeFeed", "true").load(BRONZE)
        read = drain(changes, refine_changes, SILVER_CHECKPOINT, "refine-silver")
        register(spark, "silver.sales", "silver.sales_rejected")
    merges = (
        DeltaTable.forPath(spark, SILVER)
        .history()
        .where(f"version > {before} AND operation = 'MERGE'")
        .select("operationMetrics")
        .collect()
    )
    return {
        "read": read,
        "inserted": sum(int(m[0].get("numTargetRowsInserted", 0)) for m in merges),
        "updated": sum(int(m[0].get("numTargetRowsUpdated", 0)) for m in merges),
        "silver": spark.read.format("delta").load(SILVER).count(),
        "rejected": spark.read.format("delta").load(REJECTED).count(),
    }


def conform_customers(spark: SparkSession) -> dict[str, int]:
    """The customers dimension into silver: MERGEd on customer_id, so a customer's changed
    attributes replace the old ones (a type 1 dimension: no history kept), a new customer is
    inserted, and a run with nothing changed commits nothing (no empty version a run). Returns the
    MERGE's counts."""
    from delta.tables import DeltaTable

    rows = spark.createDataFrame(
        customers(),
        "customer_id string, segment string, home_region string, customer_since date",
    )
    with one_writer():
        ensure_table(rows, CUSTOMERS)
        held = spark.read.format("delta").load(CUSTOMERS).select(*rows.columns)
        if rows.exceptAll(held).isEmpty():
            register(spark, "silver.customers")
            return {"inserted": 0, "updated": 0}
        changed = " OR ".join(f"NOT (t.{c} <=> s.{c})" for c in rows.columns[1:])
        (
            DeltaTable.forPath(spark, CUSTOMERS)
            .alias("t")
            .merge(rows.alias("s"), "t.customer_id = s.customer_id")
            .whenMatchedUpdateAll(condition=changed)
            .whenNotMatchedInsertAll()
            .execute()
        )
        register(spark, "silver.customers")
    metrics = DeltaTable.forPath(spark, CUSTOMERS).history(1).first()["operationMetrics"]
    return {
        "inserted": int(metrics.get("numTargetRowsInserted", 0)),
        "updated": int(metrics.get("numTargetRowsUpdated", 0)),
    }


def refine_clicks(events: DataFrame) -> int:
    """One batch of bronze's click events into silver: those of a known kind with a time, each
    event once (Kafka delivers at least once, so an event can arrive twice: MERGE on its id
    inserts it the first time only), with the day it happened. Returns the events it read."""
    from delta.tables import DeltaTable

    spark = events.sparkSession
    events = events.persist()  # read by the MERGE and the count, from bronze's files once
    clicks = (
        events.where(F.col("kind").isin(*EVENT_KINDS) & F.col("event_time").isNotNull())
        .dropDuplicates(["event_id"])
        .select(
            "event_id",
            "event_time",
            F.to_date("event_time").alias("event_date"),
            "user_id",
            "kind",
            "category",
            "region",
        )
    )
    ensure_table(clicks, SILVER_CLICKSTREAM)
    DeltaTable.forPath(spark, SILVER_CLICKSTREAM).alias("t").merge(
        clicks.alias("s"), "t.event_id = s.event_id"
    ).whenNotMatchedInsertAll().execute()
    read = events.count()
    events.unpersist()
    return read


def refine_clickstream(spark: SparkSession) -> dict[str, int]:
    """The stream continued: bronze.clickstream → silver.clickstream, as a stream from bronze's
    Delta table with its own checkpoint, run until it has read what is there (`availableNow`):
    each run refines the events bronze gained since the last (`refine_clicks`). Returns the
    bronze events this run read and the events silver holds."""
    if not exists(spark, CLICKSTREAM):
        return {"read": 0, "silver": 0}
    with one_writer():
        events = spark.readStream.format("delta").load(CLICKSTREAM)
        read = drain(events, refine_clicks, SILVER_CLICKSTREAM_CHECKPOINT, "clickstream-silver")
        register(spark, "silver.clickstream")
    return {
        "read": read,
        "silver": spark.read.format("delta").load(SILVER_CLICKSTREAM).count(),
    }


def quality_checks(spark: SparkSession) -> list[dict]:
    """What must hold of silver before gold is rebuilt from it, each check with its value, its
    limit and whether it passed: one row per order, every order with a time and a revenue, and at
    most MAX_REJECTED_SHARE of what was refined set aside (rejected rows over silver's orders plus
    rejected rows: a broken feed, not a few bad rows)."""
    silver = spark.read.format("delta").load(SILVER)
    rows = silver.count()
    rejected = spark.read.format("delta").load(REJECTED).count()
    share = round(rejected / (rows + rejected), 4) if rows + rejected else 0.0
    incomplete = silver.where("order_time IS NULL OR revenue IS NULL").count()
    duplicates = rows - silver.select("order_id").distinct().count()
    checks = [
        ("silver orders", rows, "> 0", rows > 0),
        ("duplicate order ids", duplicates, "0", duplicates == 0),
        ("orders without a time or revenue", incomplete, "0", incomplete == 0),
        ("share of rows rejected", share, f"<= {MAX_REJECTED_SHARE}", share <= MAX_REJECTED_SHARE),
    ]
    return [{"check": c, "value": v, "limit": lim, "passed": ok} for c, v, lim, ok in checks]


# ------------------------------------------------------------------------------------------ gold


def aggregates(silver: DataFrame, customers: DataFrame) -> dict[str, DataFrame]:
    """The gold tables: orders, units and revenue per category, per region, per day × category ×
    region (which the dashboard filters), and per customer segment: the orders joined with the
    customers dimension (a left join: an order of no known customer counts as NO_SEGMENT, so every
    order is counted once in each table)."""
    segments = customers.select("customer_id", "segment")
    with_segment = silver.join(F.broadcast(segments), "customer_id", "left").withColumn(
        "segment", F.coalesce("segment", F.lit(NO_SEGMENT))
    )

    def measures(*keys: str, orders: DataFrame = silver) -> DataFrame:
        return (
            orders.groupBy(*keys)
            .agg(
                F.count("*").alias("orders"),
                F.sum("quantity").alias("units"),
                # double, not decimal: what pandas, charts and the dashboard take as a number
                F.round(F.sum("revenue").cast("double"), 2).alias("revenue"),
                F.round(F.avg("revenue").cast("double"), 2).alias("avg_order_value"),
            )
            .orderBy(*keys)
        )

    return {
        "sales_by_category": measures("category"),
        "sales_by_region": measures("region"),
        "daily_sales": measures("order_date", "category", "region"),
        "sales_by_segment": measures("segment", orders=with_segment),
    }


def aggregate_gold(spark: SparkSession) -> dict[str, int]:
    """Silver → gold: each aggregate rewritten whole (a new Delta version each run)."""
    read = spark.read.format("delta")
    tables = aggregates(read.load(SILVER), read.load(CUSTOMERS))
    with one_writer():
        for name, df in tables.items():
            (
                df.write.format("delta")
                .mode("overwrite")
                .option("overwriteSchema", "true")
                .save(GOLD[name])
            )
        register(spark, *(f"gold.{name}" for name in tables))
    return {name: spark.read.format("delta").load(GOLD[name]).count() for name in tables}


def ensure_silver(spark: SparkSession) -> None:
    """What a notebook about a later layer needs on a fresh lab: the sample in bronze, refined,
    and the customers dimension."""
    if not exists(spark, BRONZE):
        land_days(spark)
    if not exists(spark, SILVER):
        refine_silver(spark)
    if not exists(spark, CUSTOMERS):
        conform_customers(spark)
