"""The medallion flow (lab/flows/medallion.py), run for real: Prefect's test harness (a temporary
Prefect server), a local Spark 3.5.5 with the image's pinned Delta jars, and the three layers in a
temporary folder instead of MinIO's buckets.

LAB_JARS (a colon-separated list of the pinned jars) comes from the test runner, which fetched and
checked them (test/registry/jars.ts).
"""

import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

from prefect.testing.utilities import prefect_test_harness
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

FLOWS = Path(__file__).resolve().parents[2] / "lab" / "flows"
sys.path.insert(0, str(FLOWS))
import medallion  # noqa: E402


class MedallionFlowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        jars = [j for j in os.environ["LAB_JARS"].split(":") if "delta-" in j]
        # Executors must run this very Python (the lab runtime's), not whatever python3 is on PATH.
        os.environ["PYSPARK_PYTHON"] = sys.executable
        cls.spark = (
            SparkSession.builder.master("local[1]")
            .appName("medallion-test")
            .config("spark.jars", ",".join(jars))
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        cls.lake = Path(tempfile.mkdtemp(prefix="lake-"))
        medallion.BRONZE = f"file://{cls.lake}/bronze/events"
        medallion.SILVER = f"file://{cls.lake}/silver/events"
        medallion.GOLD = f"file://{cls.lake}/gold/daily_events"

    @classmethod
    def tearDownClass(cls) -> None:
        cls.spark.stop()
        shutil.rmtree(cls.lake)

    def count(self, path: str) -> int:
        return self.spark.read.format("delta").load(path).count()

    def test_event_ids_never_repeat_across_runs(self):
        first, second = medallion.event_ids("run-a", 100), medallion.event_ids("run-b", 100)
        self.assertEqual(len(set(first)), 100)
        self.assertEqual(set(first) & set(second), set())

    def test_a_second_run_adds_rows_to_every_layer_instead_of_merging_into_the_first(self):
        with prefect_test_harness():
            first = medallion.medallion(rows=200)
            after_first = {"silver": self.count(medallion.SILVER)}
            gold_events_first = (
                self.spark.read.format("delta").load(medallion.GOLD).agg(F.sum("events")).first()[0]
            )
            second = medallion.medallion(rows=200)
        self.assertEqual(first["bronze"], 200)
        self.assertEqual(second["bronze"], 200)
        self.assertEqual(self.count(medallion.BRONZE), 400)
        # Silver drops rows without a kind and nothing else: every event of both runs is its own.
        bronze = self.spark.read.format("delta").load(medallion.BRONZE)
        self.assertEqual(after_first["silver"], first["silver"])
        self.assertEqual(second["silver"], bronze.where(F.col("kind").isNotNull()).count())
        self.assertGreater(second["silver"], first["silver"])
        gold_events = (
            self.spark.read.format("delta").load(medallion.GOLD).agg(F.sum("events")).first()[0]
        )
        self.assertEqual(gold_events, second["silver"])
        self.assertGreater(gold_events, gold_events_first)


if __name__ == "__main__":
    unittest.main()
