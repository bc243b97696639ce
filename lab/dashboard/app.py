"""DataFlow Lab dashboard: is every service up, and what is in the gold bucket.

Reads the lake with its own read-only MinIO identity through delta-rs; the endpoint, the keys and
the services to check come from the environment the lab injects (AWS_*, LAB_HEALTH_URLS,
LAB_GOLD_BUCKET).
"""

import json
import os
import urllib.parse
import urllib.request

import pyarrow.fs as pafs
import streamlit as st
from deltalake import DeltaTable

st.set_page_config(page_title="DataFlow Lab", layout="wide")
st.title("DataFlow Lab")


@st.cache_data(ttl=15)
def is_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status < 400
    except Exception:
        return False


st.header("Services")
services = json.loads(os.environ.get("LAB_HEALTH_URLS", "{}"))
columns = st.columns(4)
for i, (name, url) in enumerate(sorted(services.items())):
    columns[i % 4].metric(name, "up" if is_up(url) else "down")

bucket = os.environ.get("LAB_GOLD_BUCKET", "gold")
st.header(f"Delta tables in {bucket}")


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


try:
    tables = delta_tables(bucket)
except Exception as error:  # the dashboard must render even when MinIO is down
    st.error(f"Cannot list {bucket}: {error}")
    tables = []

if not tables:
    st.info("No Delta tables yet: run the example notebook or the medallion flow.")
for table in tables:
    st.subheader(table)
    try:
        # delta-rs reads AWS_ENDPOINT_URL, AWS_ALLOW_HTTP and the keys from the environment.
        data = DeltaTable(f"s3://{bucket}/{table}").to_pyarrow_dataset().head(1000).to_pandas()
    except Exception as error:  # one unreadable table must not take the others down with it
        st.error(f"Cannot read {bucket}/{table}: {error}")
        continue
    st.dataframe(data, use_container_width=True)
