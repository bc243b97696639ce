"""What NiFi's lab flow lands (services/nifi/lab-flow.json), rendered from the flow itself where
NiFi cannot run (no registry this machine reaches serves it): the order its GenerateFlowFile makes
and the key its PutS3Object puts it at, in the bucket the flow's parameter names (bronze)."""

import json
import uuid
from datetime import datetime
from pathlib import Path

FLOW = Path(__file__).resolve().parents[2] / "services" / "nifi" / "lab-flow.json"


def _properties() -> dict[str, dict]:
    """Each processor's properties, by the last part of its type."""
    found: dict[str, dict] = {}

    def walk(o):
        if isinstance(o, dict):
            if isinstance(o.get("type"), str) and isinstance(o.get("properties"), dict):
                found[o["type"].rsplit(".", 1)[-1]] = o["properties"]
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(json.loads(FLOW.read_text()))
    return found


def landing(now: datetime) -> tuple[str, dict]:
    """The key (under the bucket) and the order of one file NiFi lands at `now`."""
    props = _properties()
    text = props["GenerateFlowFile"]["Custom Text"]
    key = props["PutS3Object"]["Object Key"]
    text = text.replace("${now():toNumber()}", str(int(now.timestamp() * 1000))).replace(
        """${now():format("yyyy-MM-dd'T'HH:mm:ss")}""", now.strftime("%Y-%m-%dT%H:%M:%S")
    )
    key = key.replace("${now():format('yyyy/MM/dd')}", now.strftime("%Y/%m/%d")).replace(
        "${uuid}", str(uuid.uuid4())
    )
    if "${" in text + key:
        raise ValueError(f"an expression of {FLOW.name} this rendering does not know: {text} {key}")
    return key, json.loads(text)
