#!/usr/bin/env python3
"""Print the server.properties that confluentinc/cp-kafka:7.5.0 writes from its KAFKA_* environment.

    env KAFKA_NODE_ID=1 ... test/e2e/prereqs/kafka-properties.py [--configure] > server.properties

What the image does (all read at the named tags):

* kafka-images v7.5.0, kafka/include/etc/confluent/docker/configure, last lines:
      dub template "/etc/confluent/docker/${COMPONENT}.properties.template" "/etc/${COMPONENT}/${COMPONENT}.properties"
  `dub` is confluent-docker-utils (common-docker v7.5.0 pom.xml:
  <ubi.python.confluent.docker.utils.version>v0.0.62</...>, installed by base/Dockerfile.ubi8 into
  cp-base-new, the base of cp-kafka 7.5.0), a Python/Jinja2 renderer. (common-docker's Go `ub` in
  base-lite/ is for cp-base-lite images, not cp-kafka 7.5.0.)

* kafka-images v7.5.0, kafka/include/etc/confluent/docker/kafka.properties.template, lines 1-11:
      {% set excluded_props = ['KAFKA_VERSION',
                               'KAFKA_HEAP_OPTS'
                               'KAFKA_LOG4J_OPTS',
                               'KAFKA_OPTS',
                               'KAFKA_JMX_OPTS',
                               'KAFKA_JVM_PERFORMANCE_OPTS',
                               'KAFKA_GC_LOG_OPTS',
                               'KAFKA_LOG4J_ROOT_LOGLEVEL',
                               'KAFKA_LOG4J_LOGGERS',
                               'KAFKA_TOOLS_LOG4J_LOGLEVEL',
                               'KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET']
  The comma missing after 'KAFKA_HEAP_OPTS' makes Jinja2 join the two adjacent string literals into
  one item, 'KAFKA_HEAP_OPTSKAFKA_LOG4J_OPTS', so NEITHER KAFKA_HEAP_OPTS NOR KAFKA_LOG4J_OPTS is
  excluded: both become properties (`heap.opts=…`, `log4j.opts=…`; Kafka logs them as unknown
  configs). Reproduced by rendering the real template with Jinja2 2.11.3 (the version
  confluent-docker-utils v0.0.62 requires) through dub.fill_and_write_template.
  Then (lines 13-32): every remaining KAFKA_* variable as `name=value`, in environment order;
  KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET as `zookeeper.clientCnxnSocket`; every CONFLUENT_SUPPORT_*
  variable as `confluent.support.<name>`.

* confluent-docker-utils v0.0.62 (commit ca046bbac27e9576b7223b7fd7d4ed02707ccbaf),
  confluent/docker_utils/dub.py lines 50-98, env_to_props: strip the prefix, lower-case, split on a
  single `_` between two non-`_` characters (regex (?<=[^_])_(?=[^_])) and join with `.`, then
  `___` -> `-`, then `__` -> `_`. dub.py lines 275-300: Jinja2 Environment(trim_blocks=True),
  rendered with env=os.environ. `env_to_props` below is that function, unchanged in behaviour.

--configure also applies what kafka-images v7.5.0 `configure` does before rendering: exit 1 when
KAFKA_PORT, KAFKA_HOST, KAFKA_ADVERTISED_PORT or KAFKA_ADVERTISED_HOST is set, require CLUSTER_ID
(KRaft) and KAFKA_ADVERTISED_LISTENERS (unless a pure controller), derive KAFKA_LISTENERS from
KAFKA_ADVERTISED_LISTENERS when unset (`cub listeners`: cub.py get_kafka_listeners, every host
replaced by 0.0.0.0) and default KAFKA_LOG_DIRS to /var/lib/kafka/data.
"""

import os
import re
import sys

# The list as Jinja2 evaluates the template's literal: note the joined second item.
EXCLUDED_PROPS = [
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPTS" "KAFKA_LOG4J_OPTS",  # noqa: ISC001 - the template's missing comma, on purpose
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
    "KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET",
]
OTHER_PROPS = {"KAFKA_ZOOKEEPER_CLIENT_CNXN_SOCKET": "zookeeper.clientCnxnSocket"}


def env_to_props(env, env_prefix, prop_prefix, exclude=()):
    """confluent-docker-utils v0.0.62 dub.env_to_props, over an explicit environment mapping."""
    props = {}
    pattern = re.compile("(?<=[^_])_(?=[^_])")
    for env_name, val in env.items():
        if env_name not in exclude and env_name.startswith(env_prefix):
            raw_name = env_name[len(env_prefix):].lower()
            prop_dot = ".".join(pattern.split(raw_name))
            prop_dash = "-".join(prop_dot.split("___"))
            prop_underscore = "_".join(prop_dash.split("__"))
            props[prop_prefix + prop_underscore] = val
    return props


def configure(env):
    """The environment checks and defaults of kafka-images v7.5.0 kafka/.../docker/configure."""
    env = dict(env)

    def ensure(name):  # `dub ensure NAME` (dub.py exit_if_absent): fail when unset or empty
        if not env.get(name):
            sys.exit(f"{name} is required.")

    roles = env.get("KAFKA_PROCESS_ROLES", "")
    if roles:
        ensure("CLUSTER_ID")
        if roles == "controller":
            if env.get("KAFKA_ADVERTISED_LISTENERS"):
                sys.exit("KAFKA_ADVERTISED_LISTENERS is not supported on a KRaft controller.")
            env.pop("KAFKA_ADVERTISED_LISTENERS", None)
        else:
            ensure("KAFKA_ADVERTISED_LISTENERS")
    else:
        ensure("KAFKA_ZOOKEEPER_CONNECT")
        ensure("KAFKA_ADVERTISED_LISTENERS")
    if not env.get("KAFKA_LISTENERS") and roles != "controller":
        env["KAFKA_LISTENERS"] = re.sub(r"://(.*?):", "://0.0.0.0:", env["KAFKA_ADVERTISED_LISTENERS"])
    if not env.get("KAFKA_LOG_DIRS"):
        env["KAFKA_LOG_DIRS"] = "/var/lib/kafka/data"
    for name, prop in [
        ("KAFKA_ADVERTISED_PORT", "advertised.port"),
        ("KAFKA_ADVERTISED_HOST", "advertised.host"),
        ("KAFKA_HOST", "host"),
        ("KAFKA_PORT", "port"),
    ]:
        if env.get(name):
            sys.exit(f"{prop} is deprecated. Please use KAFKA_ADVERTISED_LISTENERS instead.")
    return env


def render(env):
    """The text kafka.properties.template renders to (checked byte for byte against Jinja2)."""
    lines = []
    for name, value in env_to_props(env, "KAFKA_", "", exclude=EXCLUDED_PROPS).items():
        lines.append(f"{name}={value}\n")
    for key, prop in OTHER_PROPS.items():
        if env.get(key) is not None:
            lines.append(f"{prop}={env[key]}\n")
    for name, value in env_to_props(env, "CONFLUENT_SUPPORT_", "confluent.support.").items():
        lines.append(f"{name}={value}\n")
    return "".join(lines)


def main(argv):
    args = argv[1:]
    if args not in ([], ["--configure"]):
        sys.exit(f"usage: {argv[0]} [--configure]")
    env = os.environ
    if args == ["--configure"]:
        env = configure(env)
    sys.stdout.write(render(env))


if __name__ == "__main__":
    main(sys.argv)
