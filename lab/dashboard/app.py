"""DataFlow Lab dashboard: the gold layer's sales (KPIs, a chart per aggregate, filters by category
and region), each table's Delta version and last update, the lake's lineage (which job made each
table from which), and whether every service is up.

Reads the lake with its own read-only MinIO identity through delta-rs; the endpoint, the keys and
the services to check come from the environment the lab injects (AWS_*, LAB_HEALTH_URLS,
LAB_GOLD_BUCKET, and LAB_LINEAGE_URL with LAB_LINEAGE_API_KEY while the lineage service is on).
The tables are the ones lab/flows/lakehouse.py writes (the medallion flow, or the notebooks).
"""

import json
import os
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pandas as pd
import pyarrow.fs as pafs
import streamlit as st
from deltalake import DeltaTable

st.set_page_config(page_title="DataFlow Lab", layout="wide")
st.title("DataFlow Lab")

BUCKET = os.environ.get("LAB_GOLD_BUCKET", "gold")
# The gold tables the charts are made of (lakehouse.aggregates): the key of each bar chart, and
# what to say under it, if anything.
BREAKDOWNS = (
    ("sales_by_category", "category", None),
    ("sales_by_region", "region", None),
    # Aggregated over every order: the segment table has no category or region to filter by.
    ("sales_by_segment", "segment",
     "All categories and regions: orders NiFi landed name no customer (unknown)."),
)
SALES = ("daily_sales", *(table for table, _, _ in BREAKDOWNS))


@st.cache_data(ttl=15)
def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status < 400
    except Exception:
        return False


@st.cache_data(ttl=30)
def delta_tables(bucket: str) -> list[str]:
    endpoint = urllib.parse.urlparse(os.environ["AWS_ENDPOINT_URL"])
    fs = pafs.S3FileSystem(
        endpoint_override=endpoint.netloc,
        scheme=endpoint.scheme,
        access_key=os.environ["AWS_ACCESS_KEY_ID"],
        secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        region=os.environ.get("AWS_REGION", "us-east-1"),
    )
    entries = fs.get_file_info(pafs.FileSelector(bucket, recursive=False))
    folders = [e.path for e in entries if e.type == pafs.FileType.Directory]
    return sorted(
        f.split("/", 1)[1]
        for f in folders
        if fs.get_file_info(f"{f}/_delta_log").type == pafs.FileType.Directory
    )


@st.cache_data(ttl=30)
def read_table(bucket: str, table: str) -> tuple[pd.DataFrame, int, str]:
    """A table's rows (the first 10,000), its Delta version and when that version was written."""
    # delta-rs reads AWS_ENDPOINT_URL, AWS_ALLOW_HTTP and the keys from the environment.
    dt = DeltaTable(f"s3://{bucket}/{table}")
    data = dt.to_pyarrow_dataset().head(10_000).to_pandas()
    millis = dt.history(1)[0].get("timestamp")
    updated = (
        datetime.fromtimestamp(millis / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        if millis
        else "unknown"
    )
    return data, dt.version(), updated


@st.cache_data(ttl=15)
def lineage_graph(url: str, key: str) -> dict:
    """The lineage service's graph (services/lineage/receiver.py): datasets, jobs and edges."""
    request = urllib.request.Request(
        f"{url}/api/v1/graph", headers={"Authorization": f"Bearer {key}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def lineage_dot(edges: list[dict], labels: dict[str, str]) -> str:
    """Graphviz DOT of the lake's tables (boxes, with their `labels`) and the jobs between them,
    left to right."""
    used = {e["source"] for e in edges} | {e["target"] for e in edges}
    lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="sans-serif"];']
    for ident in sorted(used):
        lines.append(f"  {json.dumps(ident)} [shape=box, label={json.dumps(labels.get(ident, ident))}];")
    for edge in edges:
        lines.append(
            f"  {json.dumps(edge['source'])} -> {json.dumps(edge['target'])}"
            f" [tooltip={json.dumps(edge['job'])}];"
        )
    lines.append("}")
    return "\n".join(lines)


def pick(label: str, frames: list[pd.DataFrame], column: str) -> list[str]:
    values = sorted({v for f in frames if column in f for v in f[column].dropna().unique()})
    return st.sidebar.multiselect(label, values, default=values)


# ------------------------------------------------------------------------------------------- lake
try:
    tables = delta_tables(BUCKET)
except Exception as error:  # the dashboard must render even when MinIO is down
    st.error(f"Cannot list {BUCKET}: {error}")
    tables = []

loaded: dict[str, tuple[pd.DataFrame, int, str]] = {}
for table in tables:
    try:
        loaded[table] = read_table(BUCKET, table)
    except Exception as error:  # one unreadable table must not take the others down with it
        st.error(f"Cannot read {BUCKET}/{table}: {error}")

st.sidebar.header("Filters")
frames = [loaded[t][0] for t in SALES if t in loaded]
categories = pick("Category", frames, "category")
regions = pick("Region", frames, "region")


def filtered(table: str) -> pd.DataFrame:
    data = loaded[table][0]
    if "category" in data:
        data = data[data["category"].isin(categories)]
    if "region" in data:
        data = data[data["region"].isin(regions)]
    return data


if not any(t in loaded for t in SALES):
    st.info("No sales in gold yet: run the medallion flow, or the example notebooks.")
else:
    st.header("Sales")
    if "daily_sales" in loaded:
        daily = filtered("daily_sales")
        orders, revenue = int(daily["orders"].sum()), float(daily["revenue"].sum())
        kpis = st.columns(4)
        kpis[0].metric("Orders", f"{orders:,}")
        kpis[1].metric("Units", f"{int(daily['units'].sum()):,}")
        kpis[2].metric("Revenue", f"{revenue:,.2f}")
        kpis[3].metric("Average order", f"{revenue / orders:,.2f}" if orders else "–")
        st.subheader("Revenue per day")
        per_day = daily.groupby("order_date", as_index=False)["revenue"].sum()
        # One bar per day with sales, by name: the sample's days and NiFi's orders of today are far
        # apart, and a time axis would draw a line across the months between them.
        per_day["order_date"] = per_day["order_date"].astype(str)
        st.bar_chart(per_day, x="order_date", y="revenue")
    for column, (table, key, note) in zip(st.columns(len(BREAKDOWNS)), BREAKDOWNS):
        if table in loaded:
            with column:
                st.subheader(f"Revenue per {key}")
                st.bar_chart(filtered(table), x=key, y="revenue")
                st.dataframe(filtered(table), hide_index=True)
                if note:
                    st.caption(note)

# ------------------------------------------------------------------------------------ the tables
st.header(f"Delta tables in {BUCKET}")
if loaded:
    st.dataframe(
        pd.DataFrame(
            [
                {"table": t, "version": v, "last update": when, "rows": len(d)}
                for t, (d, v, when) in sorted(loaded.items())
            ]
        ),
        hide_index=True,
    )
for table in sorted(set(loaded) - set(SALES)):
    with st.expander(table):
        st.dataframe(loaded[table][0])

# --------------------------------------------------------------------------------------- lineage
LINEAGE_URL = os.environ.get("LAB_LINEAGE_URL")
if LINEAGE_URL:
    st.header("Lineage")
    try:
        graph = lineage_graph(LINEAGE_URL, os.environ["LAB_LINEAGE_API_KEY"])
    except Exception as error:  # the dashboard must render even when the lineage service is down
        st.error(f"Cannot read the lineage graph from {LINEAGE_URL}: {error}")
        graph = None
    if graph is not None and not graph["edges"]:
        st.info("No lineage yet: Spark jobs report what they read and write as they run.")
    elif graph is not None:
        st.caption("Each arrow: a Spark job that read the table on its left and wrote the one on its right.")
        labels = {d["id"]: d["label"] for d in graph["datasets"]}
        st.graphviz_chart(lineage_dot(graph["edges"], labels))
        st.dataframe(
            pd.DataFrame(
                [
                    {"from": labels.get(e["source"], e["source"]), "job": e["job"],
                     "to": labels.get(e["target"], e["target"])}
                    for e in graph["edges"]
                ]
            ),
            hide_index=True,
        )

# ---------------------------------------------------------------------------------------- status
st.header("Services")
services = json.loads(os.environ.get("LAB_HEALTH_URLS", "{}"))
columns = st.columns(4)
for i, (name, url) in enumerate(sorted(services.items())):
    columns[i % 4].metric(name, "up" if is_up(url) else "down")
