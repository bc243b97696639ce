"""A local stand-in for the lab's lake for test/lab: Spark in local mode (the locked PySpark) with the image's
pinned jars (LAB_JARS, a colon-separated list the test runner fetched and checked), and the three
buckets as folders of a temporary directory (LAB_LAKE, read by lakehouse.py when it is imported).
"""

import os
import shutil
import sys
import tempfile
import unittest
from pathlib import Path

FLOWS = Path(__file__).resolve().parents[2] / "lab" / "flows"


def start(app: str):
    """A temporary lake root, then (in this order, since lakehouse.py reads LAB_LAKE on import)
    the lakehouse module and a local SparkSession with Delta."""
    root = Path(tempfile.mkdtemp(prefix="lake-"))
    os.environ["LAB_LAKE"] = f"file://{root}"
    sys.path.insert(0, str(FLOWS))
    for name in ("lakehouse", "medallion", "bronze_to_silver"):
        sys.modules.pop(name, None)
    import lakehouse
    from pyspark.sql import SparkSession

    # Executors must run this very Python (the lab runtime's), not whatever python3 is on PATH.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.jars", ",".join(os.environ["LAB_JARS"].split(":")))
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    return root, lakehouse, spark


def stop(root: Path, spark) -> None:
    spark.stop()
    shutil.rmtree(root, ignore_errors=True)


class LocalLakeCase(unittest.TestCase):
    """A test class with its own local lake: `self.lh` (lakehouse), `self.spark`, `self.root`."""

    app = "local-lake"

    @classmethod
    def setUpClass(cls) -> None:
        cls.root, cls.lh, cls.spark = start(cls.app)

    @classmethod
    def tearDownClass(cls) -> None:
        stop(cls.root, cls.spark)

    def count(self, path: str) -> int:
        return self.spark.read.format("delta").load(path).count()

    def property(self, path: str, key: str) -> str | None:
        """A table property of the Delta table at `path`, or None where it is not set."""
        return self.lh.properties(self.spark, path).get(key)
