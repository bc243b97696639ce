"""lab/flows/lakehouse.py, the steps the notebooks and flows share, on a local Spark with Delta:
the sample is the same every time and holds what the notebooks promise (invalid rows, duplicates,
late data), silver is validated, deduplicated and MERGEd (replays change nothing, late data
inserts and corrects), and gold counts every valid order once.
"""

import contextlib
import json
import threading
import unittest
from unittest import mock
from datetime import datetime, timedelta

import local_lake
import nifi_landing
from pyspark.sql import functions as F


class SampleDataTest(local_lake.LocalLakeCase):
    app = "lakehouse-sample"

    def test_a_day_is_the_same_rows_every_time_and_days_differ(self):
        self.assertEqual(self.lh.sales_batch(2), self.lh.sales_batch(2))
        self.assertNotEqual(self.lh.sales_batch(1)[0], self.lh.sales_batch(2)[0])

    def test_a_day_has_416_raw_rows_380_valid_orders_and_20_invalid_rows_of_each_defect(self):
        rows = self.lh.sales_batch(1)
        self.assertEqual(len(rows), 416)
        reasons = [self.lh.validity(r) for r in rows]
        self.assertEqual(len({r["order_id"] for r, why in zip(rows, reasons) if not why}), 380)
        self.assertEqual(sorted(set(filter(None, reasons))), sorted(self.lh.DEFECTS))
        self.assertEqual(sum(1 for why in reasons if why), 20)
        self.assertEqual({r["category"] for r in rows} - {None}, set(self.lh.CATEGORIES))
        self.assertEqual({r["region"] for r in rows} - {"atlantis"}, set(self.lh.REGIONS))

    def test_late_data_corrects_10_orders_of_day_1_and_adds_10(self):
        late = self.lh.late_batch()
        day1 = {r["order_id"] for r in self.lh.sales_batch(1) if not self.lh.validity(r)}
        self.assertEqual(sum(r["order_id"] in day1 for r in late), 10)
        self.assertEqual(len({r["order_id"] for r in late} - day1), 10)
        self.assertTrue(all(self.lh.validity(r) is None for r in late))

    def test_sparks_validation_agrees_with_the_python_rules(self):
        rows = self.lh.sales_batch(3)
        df = self.spark.createDataFrame(
            [[r[c] for c in self.lh.RAW_COLUMNS] for r in rows], self.lh.RAW_SCHEMA
        )
        spark_reasons = {
            (r["order_id"], r["_reason"]) for r in self.lh.validate(df).distinct().collect()
        }
        self.assertEqual(spark_reasons, {(r["order_id"], self.lh.validity(r)) for r in rows})


class PipelineTest(local_lake.LocalLakeCase):
    app = "lakehouse-pipeline"

    def test_bronze_to_gold_with_replays_and_late_data(self):
        lh = self.lh
        self.assertEqual(lh.next_day(self.spark), 1)
        self.assertEqual(lh.land_days(self.spark, (1, 2)), {"day-001": 416, "day-002": 416})
        # Landing a day again adds nothing, and with every day there takes no write slot (a
        # notebook re-run does not queue behind a flow run); each day was its own commit.
        slots = []
        taken = lh.one_writer

        @contextlib.contextmanager
        def counted(timeout_seconds: float = 1800):
            slots.append(1)
            with taken(timeout_seconds):
                yield

        with mock.patch.object(lh, "one_writer", counted):
            self.assertEqual(lh.land_days(self.spark, (1, 2)), {"day-001": 0, "day-002": 0})
        self.assertEqual(slots, [])
        self.assertEqual(self.count(lh.BRONZE), 832)
        self.assertEqual(self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.BRONZE}`").count(), 2)
        self.assertEqual(lh.next_day(self.spark), 3)

        first = lh.refine_silver(self.spark)
        self.assertEqual(
            first, {"read": 832, "inserted": 760, "updated": 0, "silver": 760, "rejected": 40}
        )
        silver = self.spark.read.format("delta").load(lh.SILVER)
        self.assertEqual(silver.select("order_id").distinct().count(), 760)
        self.assertEqual(
            dict(silver.dtypes)["unit_price"], "decimal(10,2)", "silver has typed columns"
        )
        # Silver holds validate()'s rules itself: a row that breaks them is refused, whoever
        # writes it, and silver is left as it was.
        # (Delta keeps the rule's text in its own spacing: the refusal below is what is checked.)
        self.assertIsNotNone(self.property(lh.SILVER, f"delta.constraints.{lh.SILVER_CONSTRAINT}"))
        silver = self.spark.read.format("delta").load(lh.SILVER)
        bad = silver.limit(1).withColumn("quantity", F.lit(0))
        with self.assertRaisesRegex(Exception, "DELTA_VIOLATE_CONSTRAINT_WITH_VALUES"):
            bad.write.format("delta").mode("append").save(lh.SILVER)
        self.assertEqual(self.count(lh.SILVER), 760)
        # Bronze made by the lab records its changes from its first commit.
        self.assertEqual(self.property(lh.BRONZE, lh.CHANGE_FEED), "true")
        # Run again, it reads nothing (bronze has no new rows) and commits nothing.
        versions = self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.SILVER}`").count()
        again = lh.refine_silver(self.spark)
        self.assertEqual((again["read"], again["inserted"], again["updated"]), (0, 0, 0))
        self.assertEqual(again["silver"], 760)
        self.assertEqual(self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.SILVER}`").count(), versions)

        self.assertEqual(lh.land_batch(self.spark, lh.LATE_BATCH, lh.late_batch()), 20)
        self.assertEqual(lh.land_batch(self.spark, lh.LATE_BATCH, lh.late_batch()), 0)
        # Only the late rows are read: the change data feed since the last refinement.
        late = lh.refine_silver(self.spark)
        self.assertEqual(
            (late["read"], late["inserted"], late["updated"], late["silver"]), (20, 10, 10, 770)
        )
        # A batch refined twice (the stream replays one that failed before its checkpoint) adds
        # nothing: silver's and the rejected rows' MERGEs are keyed on what they hold.
        replay = (
            self.spark.read.format("delta").option("readChangeFeed", "true")
            .option("startingVersion", 0).load(lh.BRONZE)
        )
        lh.refine_changes(replay)
        self.assertEqual((self.count(lh.SILVER), self.count(lh.REJECTED)), (770, 40))
        corrected = (
            self.spark.read.format("delta").load(lh.SILVER).where("order_id = 'o001-0000'").first()
        )
        original = next(r for r in lh.sales_batch(1) if r["order_id"] == "o001-0000")
        self.assertEqual(corrected["quantity"], int(original["quantity"]) + 1)
        self.assertEqual(
            {k: v for k, v in late.items() if k in ("silver", "rejected")},
            {
                "silver": lh.expected_counts([1, 2], late=True)["silver"],
                "rejected": lh.expected_counts([1, 2], late=True)["rejected"],
            },
        )

        # The customers dimension: every customer once; run again, it changes nothing; a customer
        # changed at the source is corrected in place (type 1), the others untouched.
        self.assertEqual(lh.conform_customers(self.spark), {"inserted": 250, "updated": 0})
        versions = self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.CUSTOMERS}`").count()
        self.assertEqual(lh.conform_customers(self.spark), {"inserted": 0, "updated": 0})
        # Nothing changed, nothing committed: the dimension gains no empty version a run.
        self.assertEqual(self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.CUSTOMERS}`").count(), versions)
        self.spark.sql(
            f"UPDATE delta.`{lh.CUSTOMERS}` SET segment = 'moved' WHERE customer_id = 'c0007'"
        )
        self.assertEqual(lh.conform_customers(self.spark), {"inserted": 0, "updated": 1})
        customers = self.spark.read.format("delta").load(lh.CUSTOMERS)
        self.assertEqual(customers.count(), lh.CUSTOMER_COUNT)
        self.assertEqual(
            {r[0] for r in customers.select("segment").distinct().collect()}, set(lh.SEGMENTS)
        )

        gold = lh.aggregate_gold(self.spark)
        self.assertEqual(gold["sales_by_category"], 6)
        self.assertEqual(gold["sales_by_region"], 4)
        # Every sample order has a known customer: no order falls to the unknown segment here.
        self.assertEqual(gold["sales_by_segment"], len(lh.SEGMENTS))
        for name in lh.GOLD:
            orders = self.spark.read.format("delta").load(lh.GOLD[name]).agg(F.sum("orders"))
            self.assertEqual(orders.first()[0], 770, name)
        # The join agrees with the dimension, order by order.
        by_customer = {r["customer_id"]: r["segment"] for r in customers.collect()}
        expected: dict[str, int] = {}
        for row in self.spark.read.format("delta").load(lh.SILVER).select("customer_id").collect():
            segment = by_customer[row[0]]
            expected[segment] = expected.get(segment, 0) + 1
        segments = self.spark.read.format("delta").load(lh.GOLD_BY_SEGMENT).collect()
        self.assertEqual({r["segment"]: r["orders"] for r in segments}, expected)

        # Each step named its tables in the catalog, over their paths (no stream ran here).
        named = sorted(n for n in lh.TABLES if not n.endswith(".clickstream"))
        self.assertEqual(sorted(lh.register(self.spark)), named)
        tables = self.spark.sql("SHOW TABLES IN silver").select("tableName").collect()
        self.assertEqual(sorted(r[0] for r in tables), ["customers", "sales", "sales_rejected"])
        self.assertEqual(self.spark.table("gold.sales_by_region").count(), 4)
        self.assertEqual(self.spark.sql("SELECT sum(orders) FROM gold.daily_sales").first()[0], 770)
        # Dropping a name keeps the data, and the next registration names it again.
        self.spark.sql("DROP TABLE silver.sales")
        self.assertEqual(self.count(lh.SILVER), 770)
        self.assertEqual(lh.register(self.spark, "silver.sales"), ["silver.sales"])
        self.assertEqual(self.spark.table("silver.sales").count(), 770)


class KeptLakeTest(local_lake.LocalLakeCase):
    """A lake kept from a lab whose bronze did not record its changes, silver refined in full: the
    first refinement switches the feed on and reads bronze whole (adding no rejected row twice),
    the next ones only what was appended."""

    app = "lakehouse-kept"

    def test_a_bronze_without_the_change_feed_is_switched_on_and_refined_from_then_on(self):
        lh = self.lh
        rows = lh.sales_batch(1)
        raw = [[r[c] for c in lh.RAW_COLUMNS] for r in rows]
        df = self.spark.createDataFrame(raw, lh.RAW_SCHEMA)
        df.withColumn("_ingested_at", F.current_timestamp()).write.format("delta").save(lh.BRONZE)
        # What the earlier lab's refinement left: its rejected rows, in full.
        checked = lh.validate(self.spark.read.format("delta").load(lh.BRONZE))
        rejected = checked.where("_reason IS NOT NULL").select(*lh.RAW_COLUMNS, "_reason")
        rejected.distinct().write.format("delta").save(lh.REJECTED)
        self.assertIsNone(self.property(lh.BRONZE, lh.CHANGE_FEED))

        # ... and a silver without the constraint, refined in full by the earlier lab.
        lh.clean(checked.where("_reason IS NULL")).write.format("delta").save(lh.SILVER)
        constraint = f"delta.constraints.{lh.SILVER_CONSTRAINT}"
        self.assertIsNone(self.property(lh.SILVER, constraint))

        first = lh.refine_silver(self.spark)
        self.assertIsNotNone(self.property(lh.SILVER, constraint))
        self.assertEqual(self.property(lh.BRONZE, lh.CHANGE_FEED), "true")
        self.assertEqual((first["read"], first["silver"], first["rejected"]), (416, 380, 20))
        lh.land_days(self.spark, (2,))
        second = lh.refine_silver(self.spark)
        self.assertEqual((second["read"], second["inserted"]), (416, 380))
        self.assertEqual(
            {k: second[k] for k in ("silver", "rejected")},
            {k: v for k, v in lh.expected_counts([1, 2], late=False).items() if k != "bronze"},
        )


class ClickstreamTest(local_lake.LocalLakeCase):
    """The stream continued to silver: bronze's click events (as streaming.ipynb's stream writes
    them) reach silver.clickstream each once, those of a known kind, run after run."""

    app = "lakehouse-clickstream"

    def land(self, events: list[tuple]) -> None:
        schema = (
            "event_id string, event_time timestamp, user_id string, kind string, "
            "category string, region string, partition int, offset long, kafka_time timestamp"
        )
        rows = [(*e, 0, i, datetime(2026, 12, 7, 10)) for i, e in enumerate(events)]
        self.spark.createDataFrame(rows, schema).write.format("delta").mode("append").save(
            self.lh.CLICKSTREAM
        )

    def test_each_event_reaches_silver_once_and_only_new_ones_are_read(self):
        lh = self.lh
        self.assertEqual(lh.refine_clickstream(self.spark), {"read": 0, "silver": 0})
        at = datetime(2026, 12, 7, 9, 30)
        event = lambda i, kind="view": (f"e{i}", at, "u001", kind, "books", "north")  # noqa: E731
        # e1 twice (Kafka's at-least-once), and one of no known kind.
        self.land([event(1), event(2, "cart"), event(1), event(3, "hover")])
        self.assertEqual(lh.refine_clickstream(self.spark), {"read": 4, "silver": 2})
        self.assertEqual(lh.refine_clickstream(self.spark), {"read": 0, "silver": 2})
        # A later batch repeating e2 (already in silver) and a new purchase.
        self.land([event(2, "cart"), event(4, "purchase")])
        self.assertEqual(lh.refine_clickstream(self.spark), {"read": 2, "silver": 3})
        silver = self.spark.table("silver.clickstream")
        self.assertEqual(
            sorted((r["event_id"], r["kind"], str(r["event_date"])) for r in silver.collect()),
            [("e1", "view", "2026-12-07"), ("e2", "cart", "2026-12-07"),
             ("e4", "purchase", "2026-12-07")],
        )


class NifiLandingTest(local_lake.LocalLakeCase):
    """NiFi's landings (as its lab flow writes them) reach bronze, each file once, and silver."""

    app = "lakehouse-nifi"

    def land(self, count: int, start: datetime) -> list[dict]:
        orders = []
        for i in range(count):
            key, order = nifi_landing.landing(start + timedelta(seconds=i))
            path = self.root / "bronze" / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(order))
            orders.append(order)
        return orders

    def test_each_landed_order_reaches_bronze_once_and_silver(self):
        lh = self.lh
        self.assertEqual(lh.ingest_landings(self.spark), 0, "nothing landed yet")
        # Into the bronze the sample days made (its columns as append_raw writes them).
        lh.land_days(self.spark, (1,))
        first = self.land(3, datetime(2026, 12, 6, 23, 59, 58))  # over midnight: two folders
        self.assertEqual(lh.ingest_landings(self.spark), 3)
        self.assertEqual(lh.ingest_landings(self.spark), 0, "a file is ingested once")
        later = self.land(2, datetime(2026, 12, 7, 10, 0, 0))
        self.assertEqual(lh.ingest_landings(self.spark), 2)
        landed = first + later
        bronze = self.spark.read.format("delta").load(lh.BRONZE)
        self.assertEqual(bronze.where(f"_batch = '{lh.LANDED_BATCH}'").count(), 5)
        nifi = bronze.where(f"_batch = '{lh.LANDED_BATCH}'").select("order_id").collect()
        self.assertEqual(sorted(r[0] for r in nifi), sorted(o["order_id"] for o in landed))
        expected = lh.expected_counts([1], False, landed)
        self.assertEqual(bronze.count(), expected["bronze"])
        refined = lh.refine_silver(self.spark)
        self.assertEqual(
            {k: refined[k] for k in ("silver", "rejected")},
            {k: v for k, v in expected.items() if k != "bronze"},
        )
        self.assertEqual(refined["silver"], 380 + 5)
        self.assertEqual(self.spark.table("bronze.sales").count(), 416 + 5)


class ConcurrentLandingTest(local_lake.LocalLakeCase):
    """Two sessions landing the sample at once, as two notebooks or a notebook and a flow run do
    in the lab: each day lands once. The lab's write slot is a Prefect global concurrency limit of
    one; here, where Prefect is not running, a lock stands in for it, held as the limit is."""

    app = "lakehouse-concurrent"

    def test_two_sessions_landing_the_same_days_land_each_once(self):
        lh = self.lh
        slot = threading.Lock()

        @contextlib.contextmanager
        def one_writer(timeout_seconds: float = 1800):
            with slot:
                yield

        original, lh.one_writer = lh.one_writer, one_writer
        self.addCleanup(setattr, lh, "one_writer", original)
        start = threading.Barrier(2)
        landed: list[dict] = []

        def session() -> None:
            start.wait()
            landed.append(lh.land_days(self.spark, (1, 2)))

        threads = [threading.Thread(target=session) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len(landed), 2, "a session failed")
        # Per day, one session appended its 416 rows and the other found them there.
        for day in ("day-001", "day-002"):
            self.assertEqual(sorted(r[day] for r in landed), [0, 416], day)
        self.assertEqual(self.count(lh.BRONZE), 832)


if __name__ == "__main__":
    unittest.main()
