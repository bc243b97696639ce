"""lab/flows/deploy.py, which the Prefect worker runs at start, against a real (temporary) Prefect
server: the medallion flow lands on the lab's work pool as a deployment that runs one flow at a
time (Delta on S3 has no safe concurrent writers) with a daily schedule left paused, redeploying
is idempotent, and the health marker is written only once the deployment exists.
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
    def test_deploys_the_medallion_flow_once_at_a_time_with_a_paused_daily_schedule(self):
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
            self.assertTrue(marker.exists())
            with get_client(sync_client=True) as client:
                deployments = client.read_deployments()
                self.assertEqual([d.name for d in deployments], ["medallion"])
                d = deployments[0]
                self.assertEqual(d.work_pool_name, POOL)
                # Deployment concurrency is a global concurrency limit of its own in Prefect 3.
                self.assertEqual(d.global_concurrency_limit.limit, 1)
                self.assertEqual([s.schedule.cron for s in d.schedules], ["0 3 * * *"])
                self.assertTrue(d.paused or all(not s.active for s in d.schedules))

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
