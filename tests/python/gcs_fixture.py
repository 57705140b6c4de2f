"""The GCS test server (tests/gcs_server) run in-process for end-to-end tests,
and helpers to read a store back out of it."""
import os
import sys

from harness import ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "gcs_server"))
from gcs_server import GcsServer  # noqa: E402

BUCKET = "nc2zarr-test"


def start_server(tokens=()):
    server = GcsServer("127.0.0.1", 0, buckets=[BUCKET], tokens=list(tokens))
    server.start()
    return server


def objects_under(server, prefix):
    return sorted(o["name"] for o in server.objects(BUCKET) if o["name"].startswith(prefix + "/"))


def download_store(server, prefix, directory):
    """Copies every object under prefix/ into directory, keeping key paths."""
    for name in objects_under(server, prefix):
        path = os.path.join(directory, name[len(prefix) + 1:])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(server.object_data(BUCKET, name))
    return directory
