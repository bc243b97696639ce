#!/bin/bash
# JupyterHub's entrypoint in the lab runtime image (runs as root).
#
# The admin is a real Linux user: PAM checks the generated password, and the local-process spawner
# runs the admin's notebook server as that user, with /home/<user> on the kept volume. The password
# is set on every start (the container's /etc/shadow does not outlive the container), so a rotated
# password takes effect on the next start.
#
# Input (environment): HUB_ADMIN_USER, HUB_ADMIN_PASSWORD, and what jupyterhub_config.py reads.
set -euo pipefail

user="${HUB_ADMIN_USER:?HUB_ADMIN_USER is required}"
if ! id -u "$user" >/dev/null 2>&1; then
  # A fixed uid keeps the files on the home volume owned by the same user across containers.
  useradd --uid 1000 --home-dir "/home/$user" --no-create-home --shell /bin/bash "$user"
fi
echo "$user:${HUB_ADMIN_PASSWORD:?HUB_ADMIN_PASSWORD is required}" | chpasswd

home="/home/$user"
mkdir -p "$home"
chown "$user:$user" "$home"
# The lab's example notebooks, each copied once into ~/examples: a notebook already there is the
# user's and is never overwritten, and an example a newer lab runtime adds lands on its next start.
if [ -d /opt/lab/notebooks ]; then
  mkdir -p "$home/examples"
  chown "$user:$user" "$home/examples"
  for notebook in /opt/lab/notebooks/*; do
    target="$home/examples/${notebook##*/}"
    if [ ! -e "$target" ]; then
      cp -r "$notebook" "$target"
      chown -R "$user:$user" "$target"
    fi
  done
fi

exec jupyterhub -f /srv/jupyterhub/jupyterhub_config.py
