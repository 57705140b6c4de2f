#!/usr/bin/python3
"""The GCS test server's own ceiling: upload a finished store's objects with
nothing else going on (no reading, no compressing), the way nc2zarr uploads
them: objects below --resumable-threshold-mb as one `uploadType=media` POST,
larger ones as a resumable session in --piece-mb pieces, each asking for the
same partial reply (`fields`). --threads uploads in flight (http.client, one
connection per thread).

    /usr/bin/python3 bench/gcs_ceiling.py --endpoint http://127.0.0.1:PORT --bucket B
                                          --prefix ceiling/x.zarr STORE_DIR

Prints one JSON line: seconds, bytes, objects, mb_per_s (stored bytes).
The server (tests/gcs_server) is Python, so this is what any client can get
out of it on this machine.
"""
import argparse
import http.client
import json
import os
import queue
import threading
import time
from urllib.parse import quote, urlsplit

# What nc2zarr asks of every upload reply (src/gcs/gcs_client.cc, kObjectFields).
FIELDS = "fields=name,size,generation,crc32c"


def objects_of(store):
    out = []
    for dirpath, dirnames, filenames in os.walk(store):
        rel = os.path.relpath(dirpath, store)
        if rel == ".nc2zarr" or rel.startswith(".nc2zarr" + os.sep):
            continue
        for f in filenames:
            path = os.path.join(dirpath, f)
            out.append((os.path.normpath(os.path.relpath(path, store)).replace(os.sep, "/"), path))
    return sorted(out)


class Uploader:
    def __init__(self, endpoint, bucket, threshold, piece):
        u = urlsplit(endpoint)
        self.host, self.port = u.hostname, u.port or 80
        self.bucket, self.threshold, self.piece = bucket, threshold, piece
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def _request(self, method, path, body=None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        return resp, data

    def upload(self, name, data):
        base = f"/upload/storage/v1/b/{quote(self.bucket, safe='')}/o"
        if len(data) < self.threshold:
            resp, body = self._request("POST", f"{base}?uploadType=media&name={quote(name, safe='')}&{FIELDS}", data,
                                       {"Content-Type": "application/octet-stream"})
            if resp.status != 200:
                raise RuntimeError(f"upload {name}: {resp.status} {body[:200]!r}")
            return
        meta = json.dumps({"name": name}).encode()
        resp, body = self._request("POST", f"{base}?uploadType=resumable&{FIELDS}", meta,
                                   {"Content-Type": "application/json; charset=UTF-8",
                                    "X-Upload-Content-Length": str(len(data)),
                                    "X-Upload-Content-Type": "application/octet-stream"})
        if resp.status != 200:
            raise RuntimeError(f"start {name}: {resp.status} {body[:200]!r}")
        session = urlsplit(resp.getheader("Location"))
        session_path = session.path + "?" + session.query
        total = len(data)
        for first in range(0, total, self.piece):
            last = min(first + self.piece, total) - 1
            resp, body = self._request("PUT", session_path, data[first:last + 1],
                                       {"Content-Range": f"bytes {first}-{last}/{total}"})
            if resp.status not in (200, 201, 308):
                raise RuntimeError(f"piece {name}: {resp.status} {body[:200]!r}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--resumable-threshold-mb", type=float, default=16)
    p.add_argument("--piece-mb", type=float, default=8)
    p.add_argument("store")
    args = p.parse_args()
    threshold = int(args.resumable_threshold_mb * 1048576)
    piece = max(262144, int(args.piece_mb * 1048576) // 262144 * 262144)

    items = [(f"{args.prefix}/{name}", open(path, "rb").read()) for name, path in objects_of(args.store)]
    work = queue.Queue()
    for item in items:
        work.put(item)
    errors = []

    def worker():
        up = Uploader(args.endpoint, args.bucket, threshold, piece)
        while True:
            try:
                name, data = work.get_nowait()
            except queue.Empty:
                return
            try:
                up.upload(name, data)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(str(e))
                return

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    if errors:
        raise SystemExit("gcs_ceiling: " + errors[0])
    total = sum(len(d) for _, d in items)
    print(json.dumps({"seconds": seconds, "bytes": total, "objects": len(items),
                      "mb_per_s": total / 1e6 / seconds if seconds > 0 else 0.0}))


if __name__ == "__main__":
    main()
