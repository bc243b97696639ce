"""The Streamlit dashboard (lab/dashboard/app.py), run headlessly by Streamlit's own AppTest.

Real Delta tables are written with delta-rs into a folder that stands in for the gold bucket; the
only stand-ins are the two S3 entry points (pyarrow's S3FileSystem and the s3:// table URI), which
are pointed at that folder.
"""

import os
import shutil
import tempfile
import unittest
from pathlib import Path
from unittest import mock

import pandas as pd
import pyarrow.fs as pafs
from deltalake import DeltaTable, write_deltalake
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "lab" / "dashboard" / "app.py"


class DashboardTest(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="dashboard-"))
        self.addCleanup(shutil.rmtree, self.root)
        gold = self.root / "gold"
        write_deltalake(str(gold / "by_region"), pd.DataFrame({"region": ["north"], "sales": [3]}))
        write_deltalake(str(gold / "broken"), pd.DataFrame({"x": [1]}))
        for parquet in (gold / "broken").glob("*.parquet"):
            parquet.unlink()  # the log names a file that is gone: unreadable
        local = pafs.SubTreeFileSystem(str(self.root), pafs.LocalFileSystem())
        patches = [
            mock.patch.object(pafs, "S3FileSystem", lambda **_: local),
            mock.patch(
                "deltalake.DeltaTable",
                lambda uri: DeltaTable(str(self.root / uri.removeprefix("s3://"))),
            ),
            mock.patch.dict(
                os.environ,
                {
                    "AWS_ENDPOINT_URL": "http://minio:9000",
                    "AWS_ACCESS_KEY_ID": "streamlit",
                    "AWS_SECRET_ACCESS_KEY": "unused",
                    "LAB_GOLD_BUCKET": "gold",
                    "LAB_HEALTH_URLS": "{}",
                },
            ),
        ]
        for p in patches:
            p.start()
            self.addCleanup(p.stop)

    def test_one_unreadable_table_shows_its_error_in_place_and_the_others_still_render(self):
        app = AppTest.from_file(str(APP), default_timeout=60).run()
        self.assertEqual(list(app.exception), [])
        self.assertEqual([s.value for s in app.subheader], ["broken", "by_region"])
        errors = [e.value for e in app.error]
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("Cannot read gold/broken", errors[0])
        self.assertEqual(len(app.dataframe), 1)
        self.assertEqual(app.dataframe[0].value["region"].tolist(), ["north"])


if __name__ == "__main__":
    unittest.main()
