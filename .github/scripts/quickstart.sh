#!/usr/bin/env bash
# Runs the medallion overview notebook the way a lab user does, inside the JupyterHub container (as its
# admin user, with the container's environment: the Spark, S3, MLflow, Prefect and Kafka settings the
# program injected), then counts the gold table's rows.
#
#   .github/scripts/quickstart.sh dev|k8s run    execute the notebook, then print the gold rows
#   .github/scripts/quickstart.sh dev|k8s rows   print the gold rows only (data kept across destroy)
#
# Fails if the notebook fails or the gold table is empty or missing.
set -euo pipefail
stack="${1:?usage: quickstart.sh dev|k8s run|rows}"
action="${2:?usage: quickstart.sh dev|k8s run|rows}"
NOTEBOOK=medallion_architecture.ipynb # the examples' overview: the whole pipeline
ADMIN="admin" # HUB_ADMIN_USER (components/notebooks/jupyterhub.ts)

# in_hub CMD...: CMD as the admin in the JupyterHub container, with the container's environment
# whole (-m: runuser would otherwise reset PATH), and the admin's home.
in_hub() {
  local as=(runuser -m -u "$ADMIN" -- env HOME="/home/$ADMIN")
  case "$stack" in
    dev) docker exec -i dataflow-lab-dev-jupyterhub "${as[@]}" "$@" ;;
    k8s) kubectl exec -i -n dataflow-lab statefulset/jupyterhub -- "${as[@]}" "$@" ;;
    *) echo "unknown stack $stack" >&2 && return 2 ;;
  esac
}

if [ "$action" = run ]; then
  # As the real-services suite runs it (runNotebook, test/e2e/probes.ts): nbclient, the notebook's
  # folder as the working directory.
  in_hub python3 - "/home/$ADMIN/examples/$NOTEBOOK" <<'PY'
import os, sys, nbclient, nbformat
path = sys.argv[1]
nb = nbformat.read(path, 4)
nbclient.NotebookClient(nb, timeout=900, kernel_name="python3",
                        resources={"metadata": {"path": os.path.dirname(path)}}).execute()
print(f"{path}: every cell ran")
PY
fi

# delta-rs reads the AWS_* settings (the spark identity) from the environment.
rows=$(in_hub python3 - <<'PY'
from deltalake import DeltaTable
print(DeltaTable("s3://gold/daily_sales").to_pyarrow_table().num_rows)
PY
)
echo "gold.daily_sales: $rows rows"
[ "$rows" -gt 0 ]
