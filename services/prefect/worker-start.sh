#!/bin/bash
# The Prefect worker's entrypoint in the lab runtime image (runs as the image's user).
#
# The worker creates its work pool when it starts; the lab's flows are deployed on that pool in the
# background as soon as it exists (lab/flows/deploy.py), so `pulumi up` leaves them in the Prefect
# UI. The health check waits for the marker deploy.py writes, so "healthy" means "flows deployed".
#
# Input (environment): PREFECT_API_URL, PREFECT_API_AUTH_STRING, PREFECT_DEFAULT_WORK_POOL_NAME,
# LAB_DEPLOYED_MARKER, LAB_FLOWS.
set -euo pipefail

pool="${PREFECT_DEFAULT_WORK_POOL_NAME:?PREFECT_DEFAULT_WORK_POOL_NAME is required}"
rm -f "${LAB_DEPLOYED_MARKER:?LAB_DEPLOYED_MARKER is required}"
# In a subshell, so it is tini's child (reaped when done), not the worker's.
(python3 "${LAB_FLOWS:?LAB_FLOWS is required}/deploy.py" &)
exec prefect worker start --pool "$pool" --type process --with-healthcheck
