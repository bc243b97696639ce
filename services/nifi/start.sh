#!/bin/bash
# NiFi's entrypoint in the lab (apache/nifi 2.11.0, as the image's nifi user): the image's own start
# script, with the lab's flow definition imported in the background once NiFi's API answers
# (import-flow.py: uploads lab-flow.json into the root process group unless it is there already,
# and sets its sensitive parameters from the environment). The health check waits for the marker
# the import writes, so "healthy" means "the lab's flow is in NiFi".
#
# Input (environment): what the image's start.sh reads, and what import-flow.py reads.
set -euo pipefail

rm -f "${LAB_NIFI_IMPORTED_MARKER:?LAB_NIFI_IMPORTED_MARKER is required}"
# In a subshell, so the import is not this script's child when it execs NiFi's start script.
(python3 "${LAB_NIFI_IMPORT:?LAB_NIFI_IMPORT is required}" &)
cd "${NIFI_HOME:?}"
exec "${NIFI_BASE_DIR:?}/scripts/start.sh"
