"""JupyterHub of DataFlow Lab (JupyterHub 5.5).

Real accounts (PAM) instead of a shared password, and notebook servers as local processes in this
container: it runs the lab runtime image, so every notebook is a Spark driver with the same Python,
PySpark and Delta as the workers. Everything deployment-specific arrives as environment variables.
"""

import hashlib
import os

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

c.JupyterHub.bind_url = "http://:8000"
c.JupyterHub.authenticator_class = "pam"
c.JupyterHub.spawner_class = "localprocess"

admin = os.environ["HUB_ADMIN_USER"]
c.Authenticator.admin_users = {admin}
# Without an allow-list any account of the container with a password could log in.
c.Authenticator.allowed_users = {admin}

# The cookie secret, 32 bytes as JupyterHub asks: the SHA-256 of a password Pulumi generated. Set
# here, it takes precedence over JPY_COOKIE_SECRET and the cookie secret file (JupyterHub's
# init_secrets: config, then env, then file).
c.JupyterHub.cookie_secret = hashlib.sha256(os.environ["HUB_COOKIE_KEY"].encode()).digest()

# State in the lab's PostgreSQL, so it survives the container (the proxy token comes from
# CONFIGPROXY_AUTH_TOKEN).
c.JupyterHub.db_url = os.environ["JUPYTERHUB_DB_URL"]
# That database outlives the runtime image: a lab whose hub ran an older JupyterHub (the runtime
# had 4.1.6) would otherwise refuse to start on a newer schema until someone ran
# `jupyterhub upgrade-db` in the container. The hub's tables hold users, tokens and server state,
# nothing a notebook wrote, so migrating them on start is the right trade for a lab.
c.JupyterHub.upgrade_db = True

c.Spawner.default_url = "/lab"
# The spawner passes only a few variables to notebook servers by default; add the lab's settings
# (Spark, MinIO, MLflow, Prefect, Kafka) by name. Their values stay in the hub's environment.
c.Spawner.env_keep.extend(os.environ.get("LAB_SPAWNER_ENV_KEEP", "").split())
