"""Converting into the GCS test server: the same objects as a local
conversion, byte for byte, through every retryable fault on every operation;
clear errors for everything else; ls and rm."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from gcs_fixture import BUCKET, download_store, objects_under, start_server
from harness import MPI_ENV, NC2ZARR, StoreTestCase, make_sample, run

STORE = "run.zarr"
URL = f"gs://{BUCKET}/{STORE}"
# Small resumable pieces so that the bigger chunks take several requests.
UPLOAD_FLAGS = ["--anonymous", "--resumable-threshold-mb", "0.5", "--piece-mb", "0.25",
                "--retry-initial-seconds", "0.02", "--timeout-seconds", "1", "-q"]
CHUNKS = ["--chunks", "time=5"]


class GcsConversion(StoreTestCase):
    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="nc2zarr-gcs-")
        make_sample(os.path.join(cls.shared, "in"), files=2, steps=6, lat=180, lon=360)
        cls.inputs = os.path.join(cls.shared, "in", "*.nc")
        cls.local = os.path.join(cls.shared, "local.zarr")
        run(["convert", cls.inputs, "-o", cls.local, "-q"] + CHUNKS)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.server = start_server()
        os.environ["STORAGE_EMULATOR_HOST"] = self.server.url
        MPI_ENV["STORAGE_EMULATOR_HOST"] = self.server.url

    def tearDown(self):
        self.server.stop()
        super().tearDown()

    def convert(self, extra=(), check=True, ranks=None):
        journal = ["--journal-dir", self.path("journal")]
        return run(["convert", self.inputs, "-o", URL] + UPLOAD_FLAGS + CHUNKS + journal + list(extra), check=check,
                   ranks=ranks)

    def assertSameAsLocal(self, label=""):
        copy = download_store(self.server, STORE, self.path("copy" + label))
        self.assertSameObjects(self.local, copy)
        return copy

    def assertCommitted(self, committed):
        names = objects_under(self.server, STORE)
        self.assertEqual(f"{STORE}/.zmetadata" in names, committed, names)
        if not committed:
            self.assertNotIn(f"{STORE}/.zgroup", names)

    def test_json_and_xml_uploads_equal_the_local_store_and_read_back_in_xarray(self):
        for api in ("json", "xml"):
            with self.subTest(api=api):
                self.server.reset()
                self.convert(["--gcs-api", api])
                copy = self.assertSameAsLocal(api)
                self.assertMatchesXarray(copy)
                log = self.server.requests()
                uploads = [r for r in log if r["op"] in ("upload_media", "xml_put", "resumable_start", "xml_resumable_start")]
                self.assertTrue(uploads)
                for r in uploads:  # every write is once-only and carries its CRC32C
                    if api == "json":
                        self.assertEqual(r["query"].get("ifGenerationMatch"), "0", r)
                    else:
                        self.assertEqual(r["headers"].get("x-goog-if-generation-match"), "0", r)
                hashed = [r for r in log if "crc32c=" in r["headers"].get("x-goog-hash", "")
                          or "crc32c" in (r.get("metadata") or {})]
                self.assertGreaterEqual(len(hashed), len(uploads))
                self.assertTrue(any(r["op"] == "resumable_piece" for r in log))

    def test_two_ranks(self):
        self.convert(ranks=2)
        self.assertSameAsLocal()

    def test_every_retryable_fault_on_every_operation_ends_in_a_correct_store(self):
        statuses = [{"action": "status", "code": c} for c in (408, 500, 502, 503, 504)]
        statuses.append({"action": "status", "code": 429, "retry_after": 0})
        breaks = [{"action": "status", "code": 503}, {"action": "reset_before_body"},
                  {"action": "reset_after_response_bytes", "bytes": 10}, {"action": "stall", "seconds": 2}]
        matrix = [("upload_media", f) for f in statuses + breaks[1:]]
        matrix.append(("upload_media", {"action": "reset_after_request_bytes", "bytes": 100}))
        for op in ("resumable_start", "resumable_piece", "list", "get_metadata", "get_media", "delete"):
            matrix += [(op, f) for f in breaks]
        matrix.append(("resumable_piece", {"action": "reset_after_request_bytes", "bytes": 300000, "persist_partial": True}))
        matrix.append(("resumable_piece", {"action": "corrupt_crc"}))
        matrix.append(("upload_media", {"action": "corrupt_crc"}))
        for i, (op, fault) in enumerate(matrix):
            with self.subTest(op=op, fault=fault):
                self.server.reset()
                self.server.add_faults([dict(fault, op=op, count=1)])
                self.convert()
                self.assertEqual(self.server.faults.pending(), [], "the fault never fired")
                self.assertSameAsLocal(str(i))

    def test_a_stalled_upload_is_retried_one_timeout_after_its_last_byte(self):
        # --timeout-seconds 1 (UPLOAD_FLAGS). libcurl's own low-speed check
        # averages over several seconds and fired 5-8 s late. The stalled
        # request is logged only when the server's 30 s are over, so the
        # delay shows in the run's time against a run without the stall.
        self.server.reset()
        began = time.monotonic()
        self.convert()
        plain = time.monotonic() - began
        self.server.reset()
        self.server.add_faults([{"op": "upload_media", "action": "stall", "seconds": 30, "count": 1}])
        began = time.monotonic()
        self.convert()
        stalled = time.monotonic() - began
        self.assertEqual(self.server.faults.pending(), [], "the stall never happened")
        self.assertLess(stalled - plain, 3.5)
        self.assertSameAsLocal()

    def test_retries_of_the_probe_count_in_the_report(self):
        # Rank 0's start-up probe goes through its own store object; its
        # retries belong in the job's figures too.
        self.server.reset()
        self.server.add_faults([{"op": "upload_media", "action": "status", "code": 503, "count": 2,
                                 "name_prefix": f"{STORE}/.nc2zarr/probe"}])
        report = self.path("report.json")
        self.convert(["--report", report])
        self.assertEqual(self.server.faults.pending(), [], "the probe was never retried")
        with open(report) as f:
            self.assertEqual(json.load(f)["retried_requests"], 2)

    def test_status_query_faults_after_a_broken_piece(self):
        for fault in ({"action": "status", "code": 503}, {"action": "reset_before_body"}):
            with self.subTest(fault=fault):
                self.server.reset()
                # Two resets of one object's pieces: libcurl itself retries
                # once on a fresh connection. (Of any object's, each of two
                # concurrent uploads could take one and hide it that way.)
                one = f"{STORE}/tas/0.0.0"
                self.server.add_faults([{"op": "resumable_piece", "action": "reset_before_body", "count": 2,
                                         "name_prefix": one}, dict(fault, op="resumable_status", count=1)])
                self.convert()
                self.assertEqual(self.server.faults.pending(), [])
                self.assertSameAsLocal(fault["action"])

    def test_xml_faults(self):
        for op in ("xml_put", "xml_resumable_start"):
            with self.subTest(op=op):
                self.server.reset()
                self.server.add_faults([{"op": op, "action": "reset_after_response_bytes", "bytes": 5, "count": 1},
                                        {"op": op, "action": "status", "code": 503, "count": 1}])
                self.convert(["--gcs-api", "xml"])
                self.assertEqual(self.server.faults.pending(), [])
                self.assertSameAsLocal(op)

    def test_permanent_errors_fail_clearly_and_leave_no_committed_store(self):
        for code in (400, 403, 404):
            with self.subTest(code=code):
                self.server.reset()
                # The probe passes; a chunk upload is refused.
                self.server.add_faults([{"op": "upload_media", "action": "status", "code": code, "count": 1,
                                         "name_prefix": f"{STORE}/tas/"}])
                result = self.convert(check=False)
                self.assertEqual(result.returncode, 1, result.stderr)
                errors = [l for l in result.stderr.splitlines() if "error:" in l]
                self.assertEqual(len(errors), 1, result.stderr)
                self.assertIn(f"gs://{BUCKET}/{STORE}/tas/", errors[0])
                self.assertIn(f"HTTP {code}", errors[0])
                self.assertCommitted(False)

    def test_giving_up_after_the_retry_budget(self):
        self.server.add_faults([{"op": "upload_media", "action": "status", "code": 503, "count": 50,
                                 "name_prefix": f"{STORE}/pr/"}])
        result = self.convert(["--retry-attempts", "3"], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("gave up after 3 attempt(s)", result.stderr)
        self.assertIn("run the same command again to continue", result.stderr)
        self.assertCommitted(False)

    def test_missing_bucket_denied_write_and_unreachable_endpoint(self):
        result = run(["convert", self.inputs, "-o", "gs://no-such-bucket/x.zarr", "--journal-dir", self.path("j")]
                     + UPLOAD_FLAGS, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bucket 'no-such-bucket' does not exist", result.stderr)
        self.assertEqual([l for l in result.stderr.splitlines() if "error:" in l].__len__(), 1)

        self.server.add_faults([{"op": "upload_media", "action": "status", "code": 403, "count": 1}])
        result = self.convert(check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("permission denied", result.stderr)
        self.assertEqual(objects_under(self.server, STORE), [])  # refused at the probe: nothing written

        result = run(["convert", self.inputs, "-o", URL, "--gcs-endpoint", "http://127.0.0.1:9", "--retry-attempts", "2",
                      "--journal-dir", self.path("j")] + UPLOAD_FLAGS, check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("127.0.0.1:9", result.stderr)

    def test_auth_check_prints_what_it_found_before_its_error(self):
        # Both streams into one pipe, as `nc2zarr auth check ... 2>&1 | tee log`:
        # stdout is buffered there, and used to come out after the error.
        result = subprocess.run([NC2ZARR, "auth", "check", "gs://no-such-bucket/x", "--anonymous", "--gcs-endpoint",
                                 self.server.url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=MPI_ENV, timeout=120)
        self.assertEqual(result.returncode, 1)
        lines = result.stdout.splitlines()
        self.assertTrue(lines[0].startswith("source:"), result.stdout)
        self.assertIn("bucket 'no-such-bucket' does not exist", lines[-1])

    def test_a_failed_look_at_the_commit_object_is_an_error_not_an_unfinished_store(self):
        self.convert()
        for command in (["status", URL, "--anonymous"], ["convert", self.inputs, "-o", URL] + UPLOAD_FLAGS + CHUNKS):
            with self.subTest(command=command[0]):
                self.server.clear_requests()
                self.server.add_faults([{"op": "get_metadata", "action": "status", "code": 403, "count": 1,
                                         "name_prefix": f"{STORE}/.zmetadata"}])
                result = run(command + ["--journal-dir", self.path("other-journal")], check=False)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertIn("permission denied", result.stderr)
                self.assertNotIn("not committed", result.stdout)
                uploads = [r for r in self.server.requests() if r["op"] and r["op"].startswith(("upload", "resumable"))]
                self.assertEqual(uploads, [])  # a finished job is never taken for one to resume

    def test_plain_http_never_goes_through_a_proxy(self):
        # http_proxy is common on login nodes: a plain-http request through
        # it would show the proxy everything, token included.
        proxy = socket.socket()
        proxy.bind(("127.0.0.1", 0))
        proxy.listen(8)
        proxy.settimeout(0.2)
        self.addCleanup(proxy.close)
        env = dict(MPI_ENV, http_proxy=f"http://127.0.0.1:{proxy.getsockname()[1]}",
                   HTTP_PROXY=f"http://127.0.0.1:{proxy.getsockname()[1]}", no_proxy="", NO_PROXY="")
        result = subprocess.run([NC2ZARR, "convert", self.inputs, "-o", URL, "-q", "--journal-dir", self.path("j")]
                                + UPLOAD_FLAGS + CHUNKS, capture_output=True, text=True, env=env, timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        with self.assertRaises(socket.timeout):
            proxy.accept()  # nobody came

    def test_a_password_in_the_endpoint_is_refused_and_never_shown(self):
        endpoint = self.server.url.replace("http://", "http://alice:S3cretPASSWORD@")
        result = run(["ls", URL, "--anonymous", "--gcs-endpoint", endpoint], check=False)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("user name or password", result.stderr)
        self.assertNotIn("S3cret", result.stdout + result.stderr)

    def test_malformed_urls_are_usage_errors(self):
        for url in ("gs://", "gs://UPPER/x", "gs://b"):
            result = run(["convert", self.inputs, "-o", url, "--anonymous"], check=False)
            self.assertEqual(result.returncode, 2, url)
            self.assertIn(url, result.stderr)

    def test_an_existing_store_needs_overwrite(self):
        self.convert()
        self.server.clear_requests()
        self.convert()  # the same job again: no upload at all
        self.assertEqual([r for r in self.server.requests() if r["method"] in ("PUT", "POST")], [])
        result = self.convert(["--compressor", "zstd:3"], check=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("compressor zstd:1 became zstd:3", result.stderr)
        self.convert(["--overwrite"])
        self.assertSameAsLocal()

    def test_ls_and_rm(self):
        self.convert()
        listing = run(["ls", URL, "--anonymous"]).stdout
        names = objects_under(self.server, STORE)
        self.assertIn(f"TOTAL: {len(names)} objects", listing)
        self.assertIn(f"{URL}/tas/0.0.0", listing)
        # rm shows what it would delete and needs --yes; never a bucket root.
        dry = run(["rm", URL, "--anonymous"]).stdout
        self.assertIn(f"{len(names)} objects", dry)
        self.assertEqual(len(objects_under(self.server, STORE)), len(names))
        root = run(["rm", f"gs://{BUCKET}", "--anonymous", "--yes"], check=False)
        self.assertEqual(root.returncode, 2)
        self.assertIn("refusing to delete the whole bucket", root.stderr)
        run(["rm", URL, "--anonymous", "--yes"])
        self.assertEqual(objects_under(self.server, STORE), [])

    def test_ls_and_rm_page_through_thousands_of_objects(self):
        # 2,500 objects: three pages of a listing.
        import http.client
        conn = http.client.HTTPConnection(self.server.url.replace("http://", ""))
        for i in range(2500):
            conn.request("POST", f"/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name=big.zarr%2Fx%2F{i:05d}", body=b"x")
            conn.getresponse().read()
        conn.request("POST", f"/upload/storage/v1/b/{BUCKET}/o?uploadType=media&name=big.zarr%2F.zgroup", body=b"{}")
        conn.getresponse().read()
        conn.close()
        listing = run(["ls", f"gs://{BUCKET}/big.zarr", "--anonymous"]).stdout
        self.assertIn("TOTAL: 2501 objects", listing)
        run(["rm", f"gs://{BUCKET}/big.zarr", "--anonymous", "--yes"])
        self.assertEqual(objects_under(self.server, "big.zarr"), [])
        pages = [r for r in self.server.requests() if r["op"] == "list"]
        self.assertGreaterEqual(len(pages), 6)


class SlowBucketMemory(StoreTestCase):
    """Uploads that lag behind reading: the write buffer caps what a rank holds."""

    def test_the_write_buffer_bounds_memory_while_uploads_stall(self):
        # 3 chunks of tas (33 MB raw, ~25 MB compressed) and 3 of pr; every
        # chunk upload stalls 1 s, 8 write threads are free.
        make_sample(self.path("in"), files=3, steps=32, lat=360, lon=720)
        peaks = {}
        for threads, budget in ((1, 24), (1, 1024), (2, 24)):
            server = start_server()
            try:
                name = f"m{threads}-{budget}.zarr"
                server.add_faults([{"op": "upload_media", "action": "stall", "seconds": 1.0, "count": 3,
                                    "name_prefix": f"{name}/{var}/"} for var in ("tas", "pr")])
                MPI_ENV["STORAGE_EMULATOR_HOST"] = server.url
                report = self.path(f"report{threads}-{budget}.json")
                run(["convert", self.path("in", "*.nc"), "-o", f"gs://{BUCKET}/{name}", "--anonymous", "-q",
                     "--chunks", "time=32", "--resumable-threshold-mb", "64", "--write-threads", "8",
                     "--write-buffer-mb", str(budget), "--threads", str(threads),
                     "--journal-dir", self.path(f"journal{threads}-{budget}"), "--report", report])
                with open(report) as f:
                    figures = json.load(f)
                self.assertEqual((figures["status"], figures["chunks_written"]), ("complete", 16))
                stalled = [r for r in server.requests() if r["op"] == "upload_media" and "/tas/" in r["name"]]
                self.assertGreaterEqual(len(stalled), 3)
                peaks[threads, budget] = figures["peak_rss_bytes"] / 2**20
            finally:
                server.stop()
                MPI_ENV.pop("STORAGE_EMULATOR_HOST", None)
        # With 24 MiB: the raw chunk (33 MB), the one being compressed, one
        # held for upload, and the program (~40 MiB after the run); without a
        # budget every stalled chunk is held at once. Each further chunk
        # thread adds its own raw and compressed chunk, no more.
        self.assertLess(peaks[1, 24], 33 + 25 + 24 + 64, peaks)
        self.assertLess(peaks[1, 24], peaks[1, 1024] - 24, peaks)
        self.assertLess(peaks[2, 24], 2 * (33 + 25) + 24 + 64, peaks)


if __name__ == "__main__":
    unittest.main()
