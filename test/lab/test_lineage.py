"""The lab's lineage, without Spark's JVM: the medallion flow's step events (lab/flows/lineage.py)
posted to a real HTTP server on this machine, as the lab's receiver gets them; and the receiver's
graph (services/lineage/receiver.py) made from the events Spark's listener and the flow send."""

import json
import sys
import threading
import unittest
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

from pyspark import SparkConf

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "lab" / "flows"))
sys.path.insert(0, str(REPO / "services" / "lineage"))
import lineage  # noqa: E402
import receiver  # noqa: E402


class Receiver(BaseHTTPRequestHandler):
    """Records each POST (its path, Authorization and body); answers 201 as the lab's does."""

    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((self.path, self.headers.get("Authorization"), body))
        self.send_response(201)
        self.end_headers()

    def log_message(self, *args):
        pass


class Session:
    """What lineage.step reads of a SparkSession: its SparkConf (a real one)."""

    def __init__(self, conf: SparkConf):
        self.sparkContext = self
        self.conf = conf

    def getConf(self) -> SparkConf:
        return self.conf


def conf(url: str) -> SparkConf:
    """The lineage keys of the lab's spark-defaults.conf (components/compute/sparkDefaults.ts)."""
    return SparkConf(loadDefaults=False).setAll(
        [
            ("spark.openlineage.namespace", "dataflow-lab"),
            ("spark.openlineage.transport.type", "http"),
            ("spark.openlineage.transport.url", url),
            ("spark.openlineage.transport.endpoint", "/api/v1/lineage"),
            ("spark.openlineage.transport.auth.type", "api_key"),
            ("spark.openlineage.transport.auth.apiKey", "k3y"),
        ]
    )


class StepTest(unittest.TestCase):
    def setUp(self):
        Receiver.received = []
        self.server = HTTPServer(("127.0.0.1", 0), Receiver)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def test_names_lake_paths_as_spark_listener_does(self):
        # openlineage-spark 1.53.0 named the lab's s3a:// tables so (seen with the lab's MinIO).
        self.assertEqual(
            lineage.dataset("s3a://silver/sales"), {"namespace": "s3://silver", "name": "sales"}
        )
        self.assertEqual(
            lineage.dataset("s3a://bronze/landing/nifi"),
            {"namespace": "s3://bronze", "name": "landing/nifi"},
        )
        self.assertEqual(
            lineage.dataset("file:///tmp/lake/gold/daily_sales"),
            {"namespace": "file", "name": "/tmp/lake/gold/daily_sales"},
        )

    def test_posts_start_then_complete_with_the_key_and_the_parent_run(self):
        parent = {"job": "medallion", "run_id": "0b9f3c1e-0000-4000-8000-000000000001"}
        with lineage.step(
            Session(conf(self.url)), "medallion.refine_silver",
            ["s3a://bronze/sales"], ["s3a://silver/sales"], parent,
        ):
            self.assertEqual(len(Receiver.received), 1)
        kinds = [body["eventType"] for _, _, body in Receiver.received]
        self.assertEqual(kinds, ["START", "COMPLETE"])
        path, auth, complete = Receiver.received[1]
        self.assertEqual((path, auth), ("/api/v1/lineage", "Bearer k3y"))
        self.assertEqual(complete["job"], {"namespace": "dataflow-lab", "name": "medallion.refine_silver"})
        self.assertEqual(complete["inputs"], [{"namespace": "s3://bronze", "name": "sales"}])
        self.assertEqual(complete["outputs"], [{"namespace": "s3://silver", "name": "sales"}])
        self.assertEqual(complete["run"]["runId"], Receiver.received[0][2]["run"]["runId"])
        self.assertEqual(complete["run"]["facets"]["parent"]["run"]["runId"], parent["run_id"])

    def test_a_failed_step_is_reported_failed_and_still_raises(self):
        with self.assertRaisesRegex(ValueError, "bad silver"):
            with lineage.step(Session(conf(self.url)), "medallion.aggregate_gold", [], []):
                raise ValueError("bad silver")
        self.assertEqual([b["eventType"] for _, _, b in Receiver.received], ["START", "FAIL"])

    def test_sends_nothing_where_lineage_is_off_and_survives_a_receiver_that_is_down(self):
        with lineage.step(Session(SparkConf(loadDefaults=False)), "medallion.x", [], []):
            pass
        self.assertEqual(Receiver.received, [])
        closed = HTTPServer(("127.0.0.1", 0), Receiver)
        port = closed.server_port
        closed.server_close()
        with self.assertLogs("lineage", "WARNING") as said:
            with lineage.step(Session(conf(f"http://127.0.0.1:{port}")), "medallion.x", [], []):
                pass
        self.assertIn("START of medallion.x not recorded", said.output[0])


def spark_event(job, inputs, outputs, symlink=None):
    """An event as openlineage-spark 1.53.0 sends it (the fields the graph reads)."""
    dataset = lambda ns, name: {"namespace": ns, "name": name}  # noqa: E731
    out = [dataset(*o) for o in outputs]
    if symlink:
        out[0]["facets"] = {"symlinks": {"identifiers": [
            {"namespace": "hive://x", "name": symlink, "type": "TABLE"}]}}
    return {"eventType": "COMPLETE", "eventTime": "2026-12-07T10:00:00Z",
            "job": {"namespace": "dataflow-lab", "name": job},
            "inputs": [dataset(*i) for i in inputs], "outputs": out}


class GraphTest(unittest.TestCase):
    def rows(self, events):
        """Each event as the receiver stores it: its job and the datasets of each side."""
        return [
            (e["job"]["namespace"], e["job"]["name"], receiver.datasets(e, "inputs"),
             receiver.datasets(e, "outputs"), e["eventTime"])
            for e in events
        ]

    def test_edges_from_what_each_job_read_to_what_it_wrote(self):
        events = [
            spark_event("medallion.refine_silver", [("s3://bronze", "sales")],
                        [("s3://silver", "sales"), ("s3://silver", "sales_rejected")]),
            # A MERGE reported with its target alone: no edge to itself.
            spark_event("medallion.execute_merge_into_command", [("s3://silver", "sales")],
                        [("s3://silver", "sales")]),
            spark_event("medallion.aggregate_gold", [("s3://silver", "sales")],
                        [("s3://gold", "daily_sales")]),
            # A table named in the catalog: written, nothing read; its name becomes the label.
            spark_event("medallion.create_table.gold_daily_sales", [],
                        [("s3://gold", "daily_sales")], symlink="gold.daily_sales"),
        ]
        graph = receiver.graph(self.rows(events))
        self.assertEqual(graph["edges"], [
            {"source": "s3://bronze/sales", "target": "s3://silver/sales",
             "job": "medallion.refine_silver"},
            {"source": "s3://bronze/sales", "target": "s3://silver/sales_rejected",
             "job": "medallion.refine_silver"},
            {"source": "s3://silver/sales", "target": "s3://gold/daily_sales",
             "job": "medallion.aggregate_gold"},
        ])
        labels = {d["id"]: d["label"] for d in graph["datasets"]}
        self.assertEqual(labels["s3://gold/daily_sales"], "gold.daily_sales")
        self.assertEqual(labels["s3://bronze/sales"], "s3://bronze/sales")
        self.assertEqual(
            [j["name"] for j in graph["jobs"]],
            ["medallion.aggregate_gold", "medallion.create_table.gold_daily_sales",
             "medallion.execute_merge_into_command", "medallion.refine_silver"],
        )

    def test_the_same_job_run_again_is_one_job_with_its_latest_time(self):
        first = spark_event("medallion.aggregate_gold", [("s3://silver", "sales")],
                            [("s3://gold", "daily_sales")])
        second = {**first, "eventTime": "2026-12-07T11:00:00Z"}
        graph = receiver.graph(self.rows([first, second]))
        self.assertEqual([(j["name"], j["last"]) for j in graph["jobs"]],
                         [("medallion.aggregate_gold", "2026-12-07T11:00:00Z")])
        self.assertEqual(len(graph["edges"]), 1)


if __name__ == "__main__":
    unittest.main()
