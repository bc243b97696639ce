"""Starts one of the lab's containers as a local process: the real-services suite's stand-in for
`docker run`. Runs as root inside the container's network namespace (`ip netns exec`) and a new
mount and UTS namespace (`unshare -mu`), given a plan (JSON) that the suite derived from the
program's registered container:

  {"hostname": "spark-worker-1",
   "mounts": [{"target": "/opt/spark", "lower": "<local install>"},      # the image's files
              {"target": "/var/lib/postgresql/data", "bind": "<dir>"}],   # a named volume
   "files": [{"path": "/opt/spark/conf/spark-defaults.conf", "content": "...", "mode": "0644"}],
   "hosts": "<the namespace's /etc/hosts>",
   "state": "<this container's scratch directory>",
   "user": [uid, gid] or null, "workdir": "/", "env": {...}, "argv": [...],
   "writable": ["/tmp", ...] or absent}

Everything the container sees that differs from this machine is an overlay or a bind mount made
here, so nothing outside the container's namespaces changes: image paths are overlays on the local
installs (writable, as in a container, with the writes kept in `state`), each named volume is a
bind of its data directory, /etc and /tmp are the container's own (users added by an entrypoint
stay inside), and uploaded files are written into those overlays, root-owned with their mode, as
Docker's uploads are. With "writable" (the k8s stack's read-only root filesystem), everything
but the volumes is then made read-only, and each writable path is an empty directory of its own,
as an emptyDir is. Then it drops to the image's user and execs the command.
"""

import json
import os
import subprocess
import sys

plan = json.load(open(sys.argv[1]))
state = plan["state"]
overlays = set()


def sh(*argv):
    subprocess.run(argv, check=True)


def overlay(target, lower):
    """Mounts a writable overlay on `target` whose lower layer is `lower` (its own files)."""
    n = len(overlays)
    upper, work = f"{state}/upper/{n}", f"{state}/work/{n}"
    os.makedirs(upper, exist_ok=True)
    os.makedirs(work, exist_ok=True)
    sh("mount", "-t", "overlay", "overlay", "-o",
       f"lowerdir={lower},upperdir={upper},workdir={work}", target)
    overlays.add(target)


def writable_dir(path):
    """Makes `path` exist and be writable inside this namespace only, by overlaying the nearest
    directory that already exists (never `/` itself)."""
    if path in overlays or any(path.startswith(o + "/") for o in overlays):
        os.makedirs(path, exist_ok=True)
        return
    existing = path
    while not os.path.isdir(existing):
        existing = os.path.dirname(existing)
    if existing == "/":
        # / itself cannot be overlaid: a top-level mount point (MinIO's /data) is made as an empty
        # directory of this machine's, the one trace the suite leaves outside its namespaces.
        os.makedirs(path, exist_ok=True)
        return
    overlay(existing, existing)
    os.makedirs(path, exist_ok=True)


# Private: nothing mounted here propagates back to the machine.
sh("mount", "--make-rprivate", "/")

# The local installs live under root's home (~/.cache), which only root may enter; an image's
# users (and those a root container starts processes as, like JupyterHub's) must pass through it,
# as they would read the image's own files. Only this namespace's /root changes.
overlay("/root", "/root")
os.chmod("/root", 0o711)

# The container's own /etc (users an entrypoint adds stay here) and its host names.
overlay("/etc", "/etc")
with open("/etc/hosts", "w") as f:
    f.write(plan["hosts"])
for m in plan["mounts"]:
    writable_dir(os.path.dirname(m["target"]))
    os.makedirs(m["target"], exist_ok=True)
    if "bind" in m:
        sh("mount", "--bind", m["bind"], m["target"])
    else:
        overlay(m["target"], m["lower"])
    if m.get("owner"):
        os.chown(m["target"], *m["owner"])

# The container's own /tmp, last: the local installs and volumes may live under this machine's.
os.makedirs(f"{state}/tmp", exist_ok=True)
os.chmod(f"{state}/tmp", 0o1777)
sh("mount", "--bind", f"{state}/tmp", "/tmp")

for f in plan["files"]:
    writable_dir(os.path.dirname(f["path"]))
    with open(f["path"], "w") as out:
        out.write(f["content"])
    os.chown(f["path"], 0, 0)
    os.chmod(f["path"], int(f["mode"], 8))

# An image's /etc/passwd holds system accounts and its own users, not this machine's people
# (uid 1000 is free for JupyterHub's admin, as in the image).
for name in ("passwd", "group"):
    with open(f"/etc/{name}") as f:
        lines = f.readlines()
    with open(f"/etc/{name}", "w") as f:
        f.writelines(
            l for l in lines
            if len(l.split(":")) < 3 or not l.split(":")[2].isdigit()
            or not 1000 <= int(l.split(":")[2]) < 65534
        )

# The image's own users (the lab runtime's `spark`, apache/kafka's `appuser`, …), as its /etc has them.
for u in plan.get("users", []):
    with open("/etc/group") as g:
        if not any(line.split(":")[0] == u["name"] for line in g):
            with open("/etc/group", "a") as out:
                out.write(f"{u['name']}:x:{u['gid']}:\n")
    with open("/etc/passwd") as p:
        if not any(line.split(":")[0] == u["name"] for line in p):
            with open("/etc/passwd", "a") as out:
                out.write(f"{u['name']}:x:{u['uid']}:{u['gid']}::{u['home']}:/bin/bash\n")

sh("hostname", plan["hostname"])
workdir = plan.get("workdir") or "/"
if not os.path.isdir(workdir):
    # The image made it (a user's home, say): here it is made in this namespace, the user's.
    writable_dir(workdir)
    if plan.get("user"):
        os.chown(workdir, *plan["user"])
os.chdir(workdir)

# Kubernetes' readOnlyRootFilesystem: an emptyDir (empty, world-writable) at each writable path,
# and every other path read-only but the volumes. A bind remount changes this namespace's mounts
# only, never this machine's.
if "writable" in plan:
    volumes = {m["target"] for m in plan["mounts"] if "bind" in m and not m.get("image")}
    for i, path in enumerate(plan["writable"]):
        scratch = f"{state}/scratch/{i}"
        os.makedirs(scratch)
        os.chmod(scratch, 0o777)
        writable_dir(path)
        sh("mount", "--bind", scratch, path)
        volumes.add(path)
    image_paths = overlays | {m["target"] for m in plan["mounts"]} | {"/", "/tmp"}
    for target in sorted(image_paths - volumes):
        sh("mount", "-o", "remount,bind,ro", target)

if plan.get("user"):
    uid, gid = plan["user"]
    os.setgroups(plan.get("groups", []))
    os.setgid(gid)
    os.setuid(uid)
env = plan["env"]
os.execvpe(plan["argv"][0], plan["argv"], env)
