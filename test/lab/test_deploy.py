"""lab/flows/deploy.py, which the Prefect worker runs at start, against a real (temporary) Prefect
server: the medallion flow and the bronze → silver ETL land on the lab's work pool as deployments
that run one flow at a time with a daily schedule left paused, the lake's one-writer limit exists
with one slot (Delta on S3 has no safe concurrent writers), redeploying is idempotent, and the
health marker is written only once the deployments exist.
"""

import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.settings import PREFECT_API_URL
from prefect.testing.utilities import prefect_test_harness

DEPLOY = Path(__file__).resolve().parents[2] / "lab" / "flows" / "deploy.py"
POOL = "lab-pool"


class DeployTest(unittest.TestCase):
    def test_deploys_both_flows_once_at_a_time_with_paused_daily_schedules(self):
        with prefect_test_harness(), tempfile.TemporaryDirectory() as tmp:
            marker = Path(tmp) / "deployed"
            env = {
                **os.environ,
                "PREFECT_API_URL": PREFECT_API_URL.value(),
                "PREFECT_DEFAULT_WORK_POOL_NAME": POOL,
                "LAB_DEPLOYED_MARKER": str(marker),
            }
            with get_client(sync_client=True) as client:
                # The worker creates its pool when it starts; here the test stands in for it.
                client.create_work_pool(WorkPoolCreate(name=POOL, type="process"))
            for _ in range(2):  # the worker redeploys at every start
                subprocess.run([sys.executable, str(DEPLOY)], env=env, check=True, timeout=300)
            self.assertEqual(
                marker.read_text().split(),
                ["medallion/medallion", "bronze-to-silver/bronze-to-silver"],
            )
            with get_client(sync_client=True) as client:
                deployments = sorted(client.read_deployments(), key=lambda d: d.name)
                self.assertEqual([d.name for d in deployments], ["bronze-to-silver", "medallion"])
                for d in deployments:
                    self.assertEqual(d.work_pool_name, POOL)
                    # Deployment concurrency is a global concurrency limit of its own in Prefect 3.
                    self.assertEqual(d.global_concurrency_limit.limit, 1)
                    self.assertEqual(len(d.schedules), 1)
                    self.assertTrue(d.paused or all(not s.active for s in d.schedules))
                self.assertEqual(
                    [s.schedule.cron for d in deployments for s in d.schedules],
                    ["0 2 * * *", "0 3 * * *"],
                )
                limit = client.read_global_concurrency_limit_by_name("lakehouse-writer")
                self.assertEqual(limit.limit, 1)

    def test_waits_for_the_pool_and_fails_without_writing_the_marker_when_it_never_comes(self):
        with prefect_test_harness(), tempfile.TemporaryDirectory() as tmp:
            marker = Path(tmp) / "deployed"
            env = {
                **os.environ,
                "PREFECT_API_URL": PREFECT_API_URL.value(),
                "PREFECT_DEFAULT_WORK_POOL_NAME": "no-such-pool",
                "LAB_DEPLOYED_MARKER": str(marker),
                "LAB_POOL_TIMEOUT_SECONDS": "3",
            }
            result = subprocess.run([sys.executable, str(DEPLOY)], env=env, timeout=120)
            self.assertNotEqual(result.returncode, 0)
            self.assertFalse(marker.exists())


if __name__ == "__main__":
    unittest.main()
