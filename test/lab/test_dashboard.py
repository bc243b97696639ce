"""The Streamlit dashboard (lab/dashboard/app.py), run headlessly by Streamlit's own AppTest.

Real Delta tables are written with delta-rs into a folder that stands in for the gold bucket; the
only stand-ins are the two S3 entry points (pyarrow's S3FileSystem and the s3:// table URI), which
are pointed at that folder.
"""

import json
import os
import shutil
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer
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
        by_category = pd.DataFrame(
            {"category": ["books", "toys"], "orders": [3, 1], "units": [4, 1],
             "revenue": [60.0, 25.5], "avg_order_value": [20.0, 25.5]}
        )
        by_region = pd.DataFrame(
            {"region": ["north", "west"], "orders": [2, 2], "units": [3, 2],
             "revenue": [45.5, 40.0], "avg_order_value": [22.75, 20.0]}
        )
        daily = pd.DataFrame(
            {"order_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02"]).date,
             "category": ["books", "toys", "books"], "region": ["north", "west", "west"],
             "orders": [2, 1, 1], "units": [3, 1, 1], "revenue": [45.5, 25.5, 14.5],
             "avg_order_value": [22.75, 25.5, 14.5]}
        )
        write_deltalake(str(gold / "sales_by_category"), by_category)
        write_deltalake(str(gold / "sales_by_category"), by_category, mode="overwrite")
        write_deltalake(str(gold / "sales_by_region"), by_region)
        by_segment = pd.DataFrame(
            {"segment": ["consumer", "unknown"], "orders": [3, 1], "units": [4, 1],
             "revenue": [60.0, 25.5], "avg_order_value": [20.0, 25.5]}
        )
        write_deltalake(str(gold / "daily_sales"), daily)
        write_deltalake(str(gold / "sales_by_segment"), by_segment)
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

    def run_app(self) -> AppTest:
        app = AppTest.from_file(str(APP), default_timeout=60).run()
        self.assertEqual(list(app.exception), [])
        return app

    def test_kpis_charts_and_each_tables_version_and_last_update(self):
        app = self.run_app()
        kpis = {m.label: m.value for m in app.metric}
        self.assertEqual(kpis["Orders"], "4")
        self.assertEqual(kpis["Revenue"], "85.50")
        self.assertEqual(
            [s.value for s in app.subheader],
            ["Revenue per day", "Revenue per category", "Revenue per region", "Revenue per segment"],
        )
        self.assertEqual(app.dataframe[2].value["segment"].tolist(), ["consumer", "unknown"])
        # Revenue per day: a bar per day with sales, not a time axis drawing across the gaps.
        per_day = json.loads(app.get("vega_lite_chart")[0].proto.spec)
        self.assertEqual(per_day["mark"]["type"], "bar")
        self.assertEqual(per_day["encoding"]["x"]["type"], "ordinal")
        versions = app.dataframe[-1].value.set_index("table")
        self.assertEqual(
            versions["version"].to_dict(),
            {"daily_sales": 0, "sales_by_category": 1, "sales_by_region": 0, "sales_by_segment": 0},
        )
        self.assertTrue(versions["last update"].str.endswith("UTC").all())

    def test_filters_by_category_and_region(self):
        app = self.run_app()
        app.sidebar.multiselect[0].set_value(["books"]).run()
        self.assertEqual({m.label: m.value for m in app.metric}["Orders"], "3")
        app.sidebar.multiselect[1].set_value(["west"]).run()
        self.assertEqual({m.label: m.value for m in app.metric}["Orders"], "1")
        self.assertEqual(app.dataframe[0].value["category"].tolist(), ["books"])
        # The segments are every order's: no category or region to filter them by, as it says.
        self.assertEqual(app.dataframe[2].value["orders"].sum(), 4)
        segments = [c for c in app.columns if any(d.value is not None and "segment" in d.value
                                                  for d in c.dataframe)]
        self.assertEqual(len(segments), 1)
        self.assertEqual([c.value for c in segments[0].caption],
                         ["All categories and regions: orders NiFi landed name no customer (unknown)."])

    def test_one_unreadable_table_shows_its_error_in_place_and_the_others_still_render(self):
        app = self.run_app()
        errors = [e.value for e in app.error]
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("Cannot read gold/broken", errors[0])
        self.assertEqual(len(app.dataframe), 4)

    def test_services_status(self):
        with mock.patch.dict(
            os.environ, {"LAB_HEALTH_URLS": '{"nowhere": "http://127.0.0.1:9/health"}'}
        ):
            app = self.run_app()
        self.assertEqual({m.label: m.value for m in app.metric}["nowhere"], "down")


    def test_lineage_graph_from_the_lineage_service_with_the_key(self):
        graph = {
            "datasets": [
                {"id": "s3a://bronze/sales", "label": "s3a://bronze/sales"},
                {"id": "s3a://silver/sales", "label": "silver.sales"},
            ],
            "jobs": [],
            "edges": [{"source": "s3a://bronze/sales", "target": "s3a://silver/sales",
                       "job": "medallion.refine_silver"}],
        }
        asked = []

        class Lineage(BaseHTTPRequestHandler):
            def do_GET(self):
                asked.append((self.path, self.headers.get("Authorization")))
                ok = self.headers.get("Authorization") == "Bearer k3y"
                body = json.dumps(graph if ok else {"error": "key"}).encode()
                self.send_response(200 if ok else 401)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Lineage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        lineage = {"LAB_LINEAGE_URL": f"http://127.0.0.1:{server.server_port}"}
        with mock.patch.dict(os.environ, {**lineage, "LAB_LINEAGE_API_KEY": "k3y"}):
            app = self.run_app()
        self.assertEqual(asked, [("/api/v1/graph", "Bearer k3y")])
        self.assertIn("Lineage", [h.value for h in app.header])
        dot = app.get("graphviz_chart")[0].proto.spec
        self.assertIn('"s3a://bronze/sales" -> "s3a://silver/sales"', dot)
        self.assertIn('label="silver.sales"', dot)
        edges = app.dataframe[-1].value
        self.assertEqual(edges.to_dict("records"), [
            {"from": "s3a://bronze/sales", "job": "medallion.refine_silver", "to": "silver.sales"}
        ])
        # A wrong key: the section says so, and the rest of the dashboard still renders.
        with mock.patch.dict(os.environ, {**lineage, "LAB_LINEAGE_API_KEY": "wrong"}):
            app = self.run_app()
        self.assertIn("Cannot read the lineage graph", app.error[-1].value)
        self.assertEqual({m.label: m.value for m in app.metric}["Orders"], "4")


if __name__ == "__main__":
    unittest.main()
