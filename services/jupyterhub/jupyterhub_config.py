"""JupyterHub of DataFlow Lab (JupyterHub 6.1).

One user, the lab's admin, with a generated password, and notebook servers as local processes in
this container: it runs the lab runtime image, so every notebook is a Spark driver with the same
Python, PySpark and Delta as the workers. Nothing runs as root: the hub checks the password itself
(no PAM, no /etc/shadow) and starts the notebook server as its own user (no setuid). Everything
deployment-specific arrives as environment variables.
"""

import hashlib
import os

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

c.JupyterHub.bind_url = "http://:8000"
# SharedPasswordAuthenticator (JupyterHub >= 5.3) with only an admin password: the admin logs in
# with it, nobody else at all (no shared password for users). It refuses an admin password shorter
# than 32 characters.
c.JupyterHub.authenticator_class = "shared-password"
# SimpleLocalProcessSpawner: the notebook server runs as the hub's user, in /home/<user>. Its docs
# warn it isolates no user from another; the lab has one user, who is the hub's admin anyway.
c.JupyterHub.spawner_class = "simple"

admin = os.environ["HUB_ADMIN_USER"]
c.Authenticator.admin_users = {admin}
# The authenticator lets in no one without an allow rule (allow_all is false).
c.Authenticator.allowed_users = {admin}
c.SharedPasswordAuthenticator.admin_password = os.environ["HUB_ADMIN_PASSWORD"]
c.SimpleLocalProcessSpawner.home_dir_template = "/home/{username}"
# Written where the container may write: its root filesystem is read-only on Kubernetes.
c.ConfigurableHTTPProxy.pid_file = "/tmp/jupyterhub-proxy.pid"

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
