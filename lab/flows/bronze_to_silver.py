"""The bronze → silver ETL as a Prefect flow: every raw row in s3a://bronze/sales validated, the
invalid ones kept aside in s3a://silver/sales_rejected, the latest version of each valid order
MERGEd into s3a://silver/sales (lakehouse.refine_silver, which silver_processing.ipynb walks
through).

Its task retries: reading and writing the lake goes over the network to MinIO, and a moment's
outage (MinIO restarting, a worker lost) should cost a retry, not a failed run. MERGE makes a
retry safe: rows already merged are matched, not inserted twice.

The Prefect worker deploys it at start (deploy.py): one run at a time, a daily schedule left paused.

    python3 /opt/lab/flows/bronze_to_silver.py
"""

from prefect import flow, get_run_logger, task

import lakehouse

RETRIES = 3
RETRY_DELAY_SECONDS = 20


@task(retries=RETRIES, retry_delay_seconds=RETRY_DELAY_SECONDS)
def refine() -> dict:
    spark = lakehouse.spark("bronze-to-silver")
    if not lakehouse.exists(spark, lakehouse.BRONZE):
        raise RuntimeError(f"{lakehouse.BRONZE} is not a Delta table yet: land data in bronze first")
    return lakehouse.refine_silver(spark)


@flow(name="bronze-to-silver")
def bronze_to_silver() -> dict:
    result = refine()
    get_run_logger().info("bronze → silver: %s", result)
    return result


if __name__ == "__main__":
    bronze_to_silver()
