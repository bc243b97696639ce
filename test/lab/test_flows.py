"""The lab's two Prefect flows run for real: Prefect's test harness (a temporary Prefect server), a
local Spark with the image's pinned Delta jars, the lake in a temporary folder. The medallion flow
lands one more day per run through to gold; the bronze → silver ETL retries its task after a
delay (a failure that goes away costs a retry, not the run) and, thanks to MERGE, a retry or a
replay adds nothing twice.
"""

import unittest
from unittest import mock

import local_lake
from prefect.testing.utilities import prefect_test_harness
from pyspark.sql import functions as F


class FlowsTest(local_lake.LocalLakeCase):
    app = "flows-test"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        import bronze_to_silver
        import medallion

        cls.medallion, cls.etl = medallion, bronze_to_silver

    def test_flows(self):
        lh = self.lh
        with prefect_test_harness():
            # The ETL refuses to run on an empty bronze (after its retries: none here).
            with mock.patch.object(self.etl, "refine", self.etl.refine.with_options(retries=0)):
                failed = self.etl.bronze_to_silver(return_state=True)
            self.assertTrue(failed.is_failed())

            first = self.medallion.medallion()
            self.assertEqual(first["bronze"], {"batch": "day-001", "rows": 416})
            self.assertEqual(first["silver"]["silver"], 380)
            self.assertEqual(first["customers"], {"inserted": 250, "updated": 0})
            second = self.medallion.medallion()
            self.assertEqual(second["bronze"], {"batch": "day-002", "rows": 416})
            # Silver read only the day bronze gained; the dimension had nothing new.
            self.assertEqual(second["silver"]["read"], 416)
            self.assertEqual(second["customers"], {"inserted": 0, "updated": 0})
            # Gold's rows: 6 categories, 4 regions, the dimension's 3 segments (every order here
            # has a known customer).
            self.assertEqual(
                {k: v for k, v in second["gold"].items() if k != "daily_sales"},
                {"sales_by_category": 6, "sales_by_region": 4, "sales_by_segment": 3},
            )
            # The gate passed silver, each check at its value (no landing here, 40 of 872 rejected).
            self.assertEqual(
                [(c["check"], c["value"], c["passed"]) for c in second["quality"]],
                [
                    ("silver orders", 760, True),
                    ("duplicate order ids", 0, True),
                    ("orders without a time or revenue", 0, True),
                    ("share of rows rejected", round(40 / 800, 4), True),
                ],
            )
            self.assertEqual(self.count(lh.BRONZE), 832)
            self.assertEqual(self.count(lh.SILVER), 760)
            gold_orders = self.spark.read.format("delta").load(lh.GOLD_DAILY).agg(F.sum("orders"))
            self.assertEqual(gold_orders.first()[0], 760)
            # A day given explicitly and already landed is not landed twice.
            self.assertEqual(self.medallion.medallion(day=1)["bronze"]["rows"], 0)

            # The ETL's task retries after a delay: it fails once here, then succeeds.
            self.assertEqual(self.etl.refine.retries, self.etl.RETRIES)
            self.assertEqual(self.etl.refine.retry_delay_seconds, self.etl.RETRY_DELAY_SECONDS)
            self.assertGreater(self.etl.RETRIES, 0)
            self.assertGreater(self.etl.RETRY_DELAY_SECONDS, 0)
            lh.land_batch(self.spark, lh.LATE_BATCH, lh.late_batch())
            real, calls = lh.refine_silver, []

            def flaky(spark):
                calls.append(1)
                if len(calls) == 1:
                    raise ConnectionError("MinIO went away for a moment")
                return real(spark)

            fast = self.etl.refine.with_options(retry_delay_seconds=0)
            with mock.patch.object(lh, "refine_silver", flaky), mock.patch.object(
                self.etl, "refine", fast
            ):
                result = self.etl.bronze_to_silver()
            self.assertEqual(len(calls), 2)
            self.assertEqual((result["inserted"], result["updated"], result["silver"]), (10, 10, 770))
            replay = self.etl.bronze_to_silver()
            self.assertEqual((replay["inserted"], replay["updated"], replay["silver"]), (0, 0, 770))

            # A silver that fails a check stops the run at the gate: gold is not rewritten.
            gold_version = self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.GOLD_DAILY}`").first()[0]
            failing = [{"check": "duplicate order ids", "value": 3, "limit": "0", "passed": False}]
            with mock.patch.object(lh, "quality_checks", return_value=failing):
                stopped = self.medallion.medallion(return_state=True)
            self.assertTrue(stopped.is_failed())
            self.assertIn("duplicate order ids", str(stopped.message) + repr(stopped.result(raise_on_failure=False)))
            self.assertEqual(
                self.spark.sql(f"DESCRIBE HISTORY delta.`{lh.GOLD_DAILY}`").first()[0], gold_version
            )


if __name__ == "__main__":
    unittest.main()
