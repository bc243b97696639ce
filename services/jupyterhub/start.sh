#!/bin/bash
# JupyterHub's entrypoint in the lab runtime image, as the image's `admin` user (uid 1000), never
# root: the hub checks the admin's generated password itself and runs the admin's notebook server
# as a process of its own user (jupyterhub_config.py), with /home/<user> on the kept volume.
#
# Input (environment): HUB_ADMIN_USER, and what jupyterhub_config.py reads.
set -euo pipefail

user="${HUB_ADMIN_USER:?HUB_ADMIN_USER is required}"
home="/home/$user"
mkdir -p "$home"
# The lab's example notebooks, each copied once into ~/examples: a notebook already there is the
# user's and is never overwritten, and an example a newer lab runtime adds lands on its next start.
if [ -d /opt/lab/notebooks ]; then
  mkdir -p "$home/examples"
  for notebook in /opt/lab/notebooks/*; do
    target="$home/examples/${notebook##*/}"
    if [ ! -e "$target" ]; then
      cp -r "$notebook" "$target"
    fi
  done
fi

exec jupyterhub -f /srv/jupyterhub/jupyterhub_config.py
