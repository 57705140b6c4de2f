"""Tests of the GCS test server against documented GCS behaviour.

Run from the repository root:
    /usr/bin/python3 -m unittest discover -s tests/gcs_server -v
"""

import base64
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
from urllib.parse import quote, urlsplit

from gcs_crc32c import c_extension_crc32c, crc32c, crc32c_base64, crc32c_pure_python, isal_crc32c
from gcs_errors import GcsError
from gcs_fields import parse_fields
from gcs_server import GcsServer

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_SCRIPT = os.path.join(HERE, "gcs_server.py")
QUANTUM = 256 * 1024
BUCKET = "bkt"


def b64_md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class Reply:
    def __init__(self, response, body):
        self.status = response.status
        self.headers = response.headers  # case-insensitive
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name)


def call(base_url, method, target, body=None, headers=None, timeout=5.0):
    """One request on a fresh connection; target is a path or an absolute URL."""
    if target.startswith("http"):
        split = urlsplit(target)
        base_url, target = "%s://%s" % (split.scheme, split.netloc), split.path + "?" + split.query
    split = urlsplit(base_url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=timeout)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return Reply(response, response.read())
    finally:
        conn.close()


def obj_path(name, bucket=BUCKET):
    return "/storage/v1/b/%s/o/%s" % (bucket, quote(name, safe=""))


def multipart_body(metadata, data, boundary="separator_string"):
    body = (("--%s\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n%s\r\n"
             "--%s\r\nContent-Type: application/x-netcdf\r\n\r\n")
            % (boundary, json.dumps(metadata), boundary)).encode() + data
    body += ("\r\n--%s--\r\n" % boundary).encode()
    return body, {"Content-Type": 'multipart/related; boundary="%s"' % boundary}


class ServerTestCase(unittest.TestCase):
    """A fresh in-process server per test, so no request of one test leaks into another."""

    tokens = ()

    def setUp(self):
        self.server = GcsServer("127.0.0.1", 0, buckets=[BUCKET], tokens=self.tokens).start()
        self.addCleanup(self.server.stop)

    def call(self, method, target, body=None, headers=None, timeout=5.0):
        return call(self.server.url, method, target, body, headers, timeout)

    def upload(self, name, data, **query):
        query = "".join("&%s=%s" % (k, v) for k, v in query.items())
        return self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=%s%s"
                         % (BUCKET, quote(name, safe=""), query), data)

    def start_resumable(self, name, metadata=None, headers=None, query=""):
        body = json.dumps(metadata).encode() if metadata is not None else b""
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=resumable&name=%s%s"
                          % (BUCKET, quote(name, safe=""), query), body,
                          dict({"Content-Type": "application/json"}, **(headers or {})))
        self.assertEqual(reply.status, 200, reply.body)
        return reply.header("Location")

    def put_piece(self, session, data, first=None, total="*", headers=None, timeout=5.0):
        if first is None:
            content_range = "bytes */%s" % total
        else:
            content_range = "bytes %d-%d/%s" % (first, first + len(data) - 1, total)
        return self.call("PUT", session, data,
                         dict({"Content-Range": content_range}, **(headers or {})), timeout)

    def control(self, method, path, payload=None):
        body = json.dumps(payload).encode() if payload is not None else None
        reply = self.call(method, "/_control/" + path, body)
        self.assertEqual(reply.status, 200, reply.body)
        return reply.json()

    def faults(self, *rules):
        self.control("POST", "faults", list(rules))

    def stored(self):
        return {o["name"]: o for o in self.control("GET", "objects?bucket=" + BUCKET)["objects"]}

    def assertJsonError(self, reply, status, reason=None):
        self.assertEqual(reply.status, status, reply.body)
        self.assertTrue(reply.header("Content-Type").startswith("application/json"))
        error = reply.json()["error"]
        self.assertEqual(error["code"], status)
        self.assertEqual(error["errors"][0]["domain"], "global")
        if reason:
            self.assertEqual(error["errors"][0]["reason"], reason)
        return error

    def assertXmlError(self, reply, status, code):
        self.assertEqual(reply.status, status, reply.body)
        self.assertTrue(reply.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>"))
        self.assertIn(("<Code>%s</Code>" % code).encode(), reply.body)


# ====================================================================== CRC32C

class Crc32cTest(unittest.TestCase):
    def test_known_vectors(self):
        self.assertEqual(crc32c(b""), 0)
        self.assertEqual(crc32c_base64(b""), "AAAAAA==")
        self.assertEqual(crc32c(b"123456789"), 0xE3069283)
        # RFC 3720 (iSCSI), appendix B.4
        self.assertEqual(crc32c(bytes(32)), 0x8A9136AA)
        self.assertEqual(crc32c(b"\xff" * 32), 0x62A8AB43)
        self.assertEqual(crc32c(bytes(range(32))), 0x46DD794E)
        self.assertEqual(crc32c(bytes(range(31, -1, -1))), 0x113FDB5C)

    def test_continuation_equals_whole(self):
        data = os.urandom(1000)
        self.assertEqual(crc32c(data[300:], crc32c(data[:300])), crc32c(data))

    def test_base64_is_big_endian(self):
        self.assertEqual(base64.b64decode(crc32c_base64(b"123456789")), b"\xe3\x06\x92\x83")

    def test_fast_and_pure_python_agree(self):
        # crc32c uses ISA-L or python3-crc32c (C) when one is installed.
        self.assert_agrees_with_pure_python(crc32c)
        self.assertEqual(crc32c_pure_python(b"123456789"), 0xE3069283)

    def test_each_installed_implementation_agrees(self):
        found = [f for f in (isal_crc32c(), c_extension_crc32c()) if f is not None]
        if not found:
            self.skipTest("neither libisal2 nor python3-crc32c is installed")
        for implementation in found:
            self.assert_agrees_with_pure_python(implementation)
            self.assertEqual(implementation(bytearray(b"123456789")), 0xE3069283)
            self.assertEqual(implementation(memoryview(b"0123456789")[1:]), 0xE3069283)

    def assert_agrees_with_pure_python(self, implementation):
        for n in (0, 1, 3, 64, 1000, 4099):
            data = os.urandom(n)
            self.assertEqual(implementation(data), crc32c_pure_python(data), n)
            self.assertEqual(implementation(data[n // 3:], implementation(data[:n // 3])), crc32c_pure_python(data), n)


# ====================================================================== JSON API

class JsonUploadTest(ServerTestCase):
    def test_media_upload_returns_object_resource(self):
        data = b"zarr chunk bytes"
        reply = self.upload("dir/sub/chunk.0", data)
        self.assertEqual(reply.status, 200, reply.body)
        resource = reply.json()
        self.assertEqual(resource["kind"], "storage#object")
        self.assertEqual(resource["name"], "dir/sub/chunk.0")
        self.assertEqual(resource["bucket"], BUCKET)
        self.assertEqual(resource["size"], str(len(data)))
        self.assertEqual(resource["crc32c"], crc32c_base64(data))
        self.assertEqual(resource["md5Hash"], b64_md5(data))
        self.assertEqual(resource["metageneration"], "1")
        self.assertTrue(resource["generation"].isdigit())
        self.assertEqual(resource["id"], "%s/dir/sub/chunk.0/%s" % (BUCKET, resource["generation"]))
        for field in ("contentType", "timeCreated", "updated", "etag"):
            self.assertIn(field, resource)

    def test_encoded_utf8_names_round_trip(self):
        name = "grp/ünïcødé name+plus/.zarray"
        self.assertEqual(self.upload(name, b"x").status, 200)
        reply = self.call("GET", obj_path(name))
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["name"], name)

    def test_name_length_limit_is_1024_bytes(self):
        self.assertEqual(self.upload("é" * 512, b"x").status, 200)  # 1024 bytes
        self.assertJsonError(self.upload("a" * 1025, b"x"), 400)
        self.assertJsonError(self.call("GET", obj_path("a" * 1025)), 400)

    def test_multipart_upload_with_correct_hashes(self):
        data = os.urandom(5000)
        body, headers = multipart_body({"name": "m/obj", "contentType": "application/x-netcdf",
                                        "crc32c": crc32c_base64(data), "md5Hash": b64_md5(data)}, data)
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=multipart" % BUCKET,
                          body, headers)
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(reply.json()["name"], "m/obj")
        self.assertEqual(reply.json()["contentType"], "application/x-netcdf")
        self.assertEqual(self.call("GET", obj_path("m/obj") + "?alt=media").body, data)

    def test_multipart_crc_mismatch_is_400_and_stores_nothing(self):
        body, headers = multipart_body({"name": "m/bad", "crc32c": crc32c_base64(b"other")}, b"data")
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=multipart" % BUCKET,
                          body, headers)
        error = self.assertJsonError(reply, 400, "invalid")
        self.assertIn("CRC32C", error["message"])
        self.assertEqual(self.stored(), {})

    def test_multipart_md5_mismatch_is_400_and_stores_nothing(self):
        body, headers = multipart_body({"name": "m/bad", "md5Hash": b64_md5(b"other")}, b"data")
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=multipart" % BUCKET,
                          body, headers)
        self.assertJsonError(reply, 400)
        self.assertEqual(self.stored(), {})

    def test_malformed_hash_is_rejected(self):
        body, headers = multipart_body({"name": "m/bad", "crc32c": "not-base64!"}, b"data")
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=multipart" % BUCKET,
                          body, headers)
        self.assertJsonError(reply, 400)
        self.assertEqual(self.stored(), {})

    def test_media_upload_checks_x_goog_hash(self):
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=h" % BUCKET,
                          b"data", {"x-goog-hash": "crc32c=%s" % crc32c_base64(b"nope")})
        self.assertJsonError(reply, 400)
        self.assertEqual(self.stored(), {})

    def test_missing_name_and_bad_upload_type(self):
        self.assertJsonError(self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=media" % BUCKET,
                                       b"x"), 400, "required")
        self.assertJsonError(self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=bogus&name=a"
                                       % BUCKET, b"x"), 400)

    def test_unknown_bucket_is_404(self):
        reply = self.call("POST", "/upload/storage/v1/b/nobucket/o?uploadType=media&name=a", b"x")
        error = self.assertJsonError(reply, 404, "notFound")
        self.assertEqual(error["message"], "The specified bucket does not exist.")
        self.assertJsonError(self.call("GET", "/storage/v1/b/nobucket/o"), 404, "notFound")


class PreconditionTest(ServerTestCase):
    def test_if_generation_match_zero_only_creates(self):
        self.assertEqual(self.upload("p", b"1", ifGenerationMatch=0).status, 200)
        reply = self.upload("p", b"2", ifGenerationMatch=0)
        error = self.assertJsonError(reply, 412, "conditionNotMet")
        self.assertEqual(error["message"], "At least one of the pre-conditions you specified did not hold.")
        self.assertEqual(self.call("GET", obj_path("p") + "?alt=media").body, b"1")

    def test_if_generation_match_generation(self):
        first = self.upload("p", b"1").json()["generation"]
        self.assertJsonError(self.upload("p", b"x", ifGenerationMatch=int(first) + 1), 412)
        second = self.upload("p", b"2", ifGenerationMatch=first)
        self.assertEqual(second.status, 200)
        self.assertGreater(int(second.json()["generation"]), int(first))
        self.assertJsonError(self.upload("absent", b"x", ifGenerationMatch=first), 412)

    def test_if_generation_not_match(self):
        generation = self.upload("p", b"1").json()["generation"]
        self.assertJsonError(self.upload("p", b"2", ifGenerationNotMatch=generation), 412)
        self.assertEqual(self.upload("p", b"3", ifGenerationNotMatch=0).status, 200)
        reply = self.call("GET", obj_path("p") + "?ifGenerationNotMatch=%s" % generation)
        self.assertEqual(reply.status, 200)  # the live generation has changed since
        live = reply.json()["generation"]
        reply = self.call("GET", obj_path("p") + "?ifGenerationNotMatch=%s" % live)
        self.assertEqual(reply.status, 304)
        self.assertEqual(reply.body, b"")

    def test_invalid_precondition_value(self):
        self.assertJsonError(self.upload("p", b"1", ifGenerationMatch="abc"), 400)

    def test_generations_increase_per_write(self):
        generations = [int(self.upload("g", b"%d" % i).json()["generation"]) for i in range(5)]
        self.assertEqual(generations, sorted(set(generations)))


class JsonReadTest(ServerTestCase):
    def setUp(self):
        super().setUp()
        self.data = bytes(range(256)) * 4
        self.generation = self.upload("r/obj", self.data).json()["generation"]

    def test_get_metadata(self):
        reply = self.call("GET", obj_path("r/obj"))
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["size"], "1024")
        self.assertEqual(reply.json()["generation"], self.generation)

    def test_get_media_headers(self):
        reply = self.call("GET", obj_path("r/obj") + "?alt=media")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.body, self.data)
        self.assertEqual(reply.header("x-goog-hash"),
                         "crc32c=%s,md5=%s" % (crc32c_base64(self.data), b64_md5(self.data)))
        self.assertEqual(reply.header("x-goog-generation"), self.generation)
        self.assertEqual(reply.header("x-goog-stored-content-length"), "1024")
        self.assertEqual(reply.header("Content-Length"), "1024")

    def test_ranges(self):
        path = obj_path("r/obj") + "?alt=media"
        reply = self.call("GET", path, headers={"Range": "bytes=10-19"})
        self.assertEqual((reply.status, reply.body), (206, self.data[10:20]))
        self.assertEqual(reply.header("Content-Range"), "bytes 10-19/1024")
        reply = self.call("GET", path, headers={"Range": "bytes=1000-"})
        self.assertEqual((reply.status, reply.body), (206, self.data[1000:]))
        self.assertEqual(reply.header("Content-Range"), "bytes 1000-1023/1024")
        reply = self.call("GET", path, headers={"Range": "bytes=-24"})
        self.assertEqual((reply.status, reply.body), (206, self.data[-24:]))
        reply = self.call("GET", path, headers={"Range": "bytes=1000-5000"})
        self.assertEqual((reply.status, reply.body), (206, self.data[1000:]))
        reply = self.call("GET", path, headers={"Range": "bytes=1024-"})
        self.assertEqual(reply.status, 416)
        self.assertEqual(reply.header("Content-Range"), "bytes */1024")

    def test_missing_object_is_404(self):
        error = self.assertJsonError(self.call("GET", obj_path("r/none")), 404, "notFound")
        self.assertIn("r/none", error["message"])
        self.assertJsonError(self.call("GET", obj_path("r/none") + "?alt=media"), 404)

    def test_download_path(self):
        reply = self.call("GET", "/download/storage/v1/b/%s/o/%s?alt=media"
                          % (BUCKET, quote("r/obj", safe="")))
        self.assertEqual(reply.body, self.data)

    def test_get_bucket(self):
        reply = self.call("GET", "/storage/v1/b/" + BUCKET)
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["kind"], "storage#bucket")
        self.assertEqual(reply.json()["name"], BUCKET)
        error = self.assertJsonError(self.call("GET", "/storage/v1/b/other"), 404, "notFound")
        self.assertEqual(error["message"], "The specified bucket does not exist.")


class DeleteTest(ServerTestCase):
    def test_delete_then_404(self):
        self.upload("d", b"x")
        reply = self.call("DELETE", obj_path("d"))
        self.assertEqual((reply.status, reply.body), (204, b""))
        self.assertIsNone(reply.header("Content-Length"))  # 204 never has one
        self.assertJsonError(self.call("DELETE", obj_path("d")), 404, "notFound")
        self.assertJsonError(self.call("GET", obj_path("d")), 404)

    def test_delete_with_generation_precondition(self):
        generation = self.upload("d", b"x").json()["generation"]
        self.assertJsonError(self.call("DELETE", obj_path("d") + "?ifGenerationMatch=1"), 412)
        self.assertEqual(self.call("DELETE", obj_path("d") + "?ifGenerationMatch=" + generation).status, 204)


class ListTest(ServerTestCase):
    def list_all(self, **query):
        """Every page; returns (items names, prefixes, pages)."""
        names, prefixes, pages, token = [], [], [], None
        while True:
            params = dict(query, **({"pageToken": token} if token else {}))
            qs = "&".join("%s=%s" % (k, quote(str(v), safe="")) for k, v in params.items())
            reply = self.call("GET", "/storage/v1/b/%s/o?%s" % (BUCKET, qs))
            self.assertEqual(reply.status, 200, reply.body)
            page = reply.json()
            self.assertEqual(page["kind"], "storage#objects")
            pages.append(page)
            names += [item["name"] for item in page.get("items", [])]
            prefixes += page.get("prefixes", [])
            token = page.get("nextPageToken")
            if not token:
                return names, prefixes, pages

    def test_paging_2500_objects(self):
        expected = ["obj/%05d" % i for i in range(2500)]
        for name in reversed(expected):
            self.server.store.insert(BUCKET, name, b"")
        names, prefixes, pages = self.list_all(maxResults=1000)
        self.assertEqual([len(p.get("items", [])) for p in pages], [1000, 1000, 500])
        self.assertEqual(names, expected)
        self.assertEqual(prefixes, [])
        self.assertIn("nextPageToken", pages[0])
        self.assertNotIn("nextPageToken", pages[-1])
        # The default and the cap are both 1000.
        self.assertEqual([len(p["items"]) for p in self.list_all()[2]], [1000, 1000, 500])
        self.assertEqual([len(p["items"]) for p in self.list_all(maxResults=5000)[2]], [1000, 1000, 500])

    def test_prefix_and_delimiter_across_pages(self):
        names = (["a/%d" % i for i in range(5)] + ["b", "b/x", "b/y/z", "c.txt"]
                 + ["d/%d/e" % i for i in range(3)] + ["e/f"])
        for name in names:
            self.server.store.insert(BUCKET, name, b"")
        for page_size in (1, 2, 3, 1000):
            items, prefixes, _ = self.list_all(delimiter="/", maxResults=page_size)
            self.assertEqual(items, ["b", "c.txt"], page_size)
            self.assertEqual(prefixes, ["a/", "b/", "d/", "e/"], page_size)
        items, prefixes, _ = self.list_all(prefix="b/", delimiter="/", maxResults=1)
        self.assertEqual((items, prefixes), (["b/x"], ["b/y/"]))
        items, prefixes, _ = self.list_all(prefix="d/", maxResults=2)
        self.assertEqual((items, prefixes), (["d/0/e", "d/1/e", "d/2/e"], []))

    def test_sorted_by_utf8_bytes_and_empty_lists_omitted(self):
        page = self.call("GET", "/storage/v1/b/%s/o" % BUCKET).json()
        self.assertEqual(page, {"kind": "storage#objects"})
        for name in ("é", "a", "B", "z"):
            self.server.store.insert(BUCKET, name, b"")
        items, _, pages = self.list_all()
        self.assertEqual(items, ["B", "a", "z", "é"])
        self.assertNotIn("prefixes", pages[0])

    def test_bad_page_token_and_max_results(self):
        self.assertJsonError(self.call("GET", "/storage/v1/b/%s/o?pageToken=garbage" % BUCKET), 400)
        self.assertJsonError(self.call("GET", "/storage/v1/b/%s/o?maxResults=0" % BUCKET), 400)


# ====================================================================== resumable uploads

class ResumableTest(ServerTestCase):
    def test_start_returns_session_uri_on_this_server(self):
        session = self.start_resumable("r/a")
        self.assertTrue(session.startswith(self.server.url + "/upload/storage/v1/b/%s/o?" % BUCKET))
        self.assertIn("upload_id=", session)

    def test_pieces_status_and_finalisation(self):
        data = os.urandom(2 * QUANTUM + 1000)
        session = self.start_resumable("r/a", {"contentType": "application/x-zarr"})
        reply = self.put_piece(session, b"", total="*")  # nothing persisted yet: no Range
        self.assertEqual(reply.status, 308)
        self.assertIsNone(reply.header("Range"))
        self.assertEqual(reply.header("Content-Length"), "0")

        reply = self.put_piece(session, data[:QUANTUM], first=0)
        self.assertEqual(reply.status, 308)
        self.assertEqual(reply.header("Range"), "bytes=0-262143")
        reply = self.put_piece(session, b"", total="*")
        self.assertEqual((reply.status, reply.header("Range")), (308, "bytes=0-262143"))
        reply = self.put_piece(session, b"", total=len(data))
        self.assertEqual((reply.status, reply.header("Range")), (308, "bytes=0-262143"))
        self.assertNotIn("r/a", self.stored())  # only complete uploads become objects

        reply = self.put_piece(session, data[QUANTUM:2 * QUANTUM], first=QUANTUM)
        self.assertEqual(reply.header("Range"), "bytes=0-524287")
        reply = self.put_piece(session, data[2 * QUANTUM:], first=2 * QUANTUM, total=len(data))
        self.assertEqual(reply.status, 200, reply.body)
        resource = reply.json()
        self.assertEqual(resource["size"], str(len(data)))
        self.assertEqual(resource["crc32c"], crc32c_base64(data))
        self.assertEqual(resource["contentType"], "application/x-zarr")
        self.assertEqual(self.call("GET", obj_path("r/a") + "?alt=media").body, data)
        # Status queries on a finished session return the object.
        reply = self.put_piece(session, b"", total="*")
        self.assertEqual((reply.status, reply.json()["generation"]), (200, resource["generation"]))

    def test_non_multiple_piece_is_400(self):
        session = self.start_resumable("r/a")
        reply = self.put_piece(session, b"x" * (QUANTUM + 1), first=0)
        error = self.assertJsonError(reply, 400)
        self.assertIn("262144", error["message"])
        self.assertIsNone(self.put_piece(session, b"").header("Range"))

    def test_gap_is_400_and_overlap_is_ignored(self):
        data = os.urandom(3 * QUANTUM)
        session = self.start_resumable("r/a")
        self.put_piece(session, data[:QUANTUM], first=0)
        self.assertJsonError(self.put_piece(session, data[2 * QUANTUM:], first=2 * QUANTUM), 400)
        # Resending a persisted piece (a blind retry) changes nothing.
        reply = self.put_piece(session, data[:QUANTUM], first=0)
        self.assertEqual((reply.status, reply.header("Range")), (308, "bytes=0-262143"))
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data))
        self.assertEqual(reply.status, 200)
        self.assertEqual(self.call("GET", obj_path("r/a") + "?alt=media").body, data)

    def test_piece_must_match_its_content_range(self):
        session = self.start_resumable("r/a")
        reply = self.call("PUT", session, b"abc", {"Content-Range": "bytes 0-9/10"})
        self.assertJsonError(reply, 400)
        reply = self.call("PUT", session, b"abc", {"Content-Range": "bytes=0-2/3"})
        self.assertJsonError(reply, 400)

    def test_single_put_without_content_range(self):
        session = self.start_resumable("r/a")
        reply = self.call("PUT", session, b"whole object")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["size"], "12")

    def test_empty_object(self):
        session = self.start_resumable("r/empty")
        reply = self.put_piece(session, b"", total=0)
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["crc32c"], "AAAAAA==")
        self.assertEqual(reply.json()["size"], "0")

    def test_finalise_by_status_query_when_all_bytes_are_persisted(self):
        data = os.urandom(QUANTUM)
        session = self.start_resumable("r/a")
        self.assertEqual(self.put_piece(session, data, first=0).status, 308)
        reply = self.put_piece(session, b"", total=QUANTUM)
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["crc32c"], crc32c_base64(data))

    def test_hash_from_start_metadata_is_checked_at_the_end(self):
        data = os.urandom(1000)
        session = self.start_resumable("r/a", {"crc32c": crc32c_base64(b"other")})
        self.assertJsonError(self.put_piece(session, data, first=0, total=len(data)), 400)
        self.assertNotIn("r/a", self.stored())
        self.assertJsonError(self.put_piece(session, b""), 400)  # the session stays failed

        session = self.start_resumable("r/b", {"crc32c": crc32c_base64(data), "md5Hash": b64_md5(data)})
        self.assertEqual(self.put_piece(session, data, first=0, total=len(data)).status, 200)

    def test_x_goog_hash_on_final_piece(self):
        data = os.urandom(QUANTUM + 10)
        session = self.start_resumable("r/a")
        self.put_piece(session, data[:QUANTUM], first=0)
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data),
                               headers={"x-goog-hash": "crc32c=%s" % crc32c_base64(data[:10])})
        self.assertJsonError(reply, 400)
        self.assertNotIn("r/a", self.stored())

        session = self.start_resumable("r/b")
        self.put_piece(session, data[:QUANTUM], first=0)
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data),
                               headers={"x-goog-hash": "crc32c=%s,md5=%s"
                                        % (crc32c_base64(data), b64_md5(data))})
        self.assertEqual(reply.status, 200)

    def test_preconditions_from_start_apply_at_finalisation(self):
        session = self.start_resumable("r/a", query="&ifGenerationMatch=0")
        self.assertEqual(self.upload("r/a", b"someone else").status, 200)
        self.assertJsonError(self.put_piece(session, b"mine", first=0, total=4), 412, "conditionNotMet")
        self.assertEqual(self.call("GET", obj_path("r/a") + "?alt=media").body, b"someone else")

    def test_declared_length_must_match(self):
        session = self.start_resumable("r/a", headers={"X-Upload-Content-Length": "10"})
        self.assertJsonError(self.put_piece(session, b"12345", first=0, total=5), 400)
        self.assertEqual(self.put_piece(session, b"0123456789", first=0, total=10).status, 200)

    def test_cancel_and_unknown_sessions(self):
        session = self.start_resumable("r/a")
        self.assertEqual(self.call("DELETE", session).status, 499)
        self.assertEqual(self.put_piece(session, b"").status, 410)
        unknown = self.call("PUT", "/upload/storage/v1/b/%s/o?uploadType=resumable&upload_id=nope"
                            % BUCKET, b"", {"Content-Range": "bytes */*"})
        self.assertJsonError(unknown, 404)

    def test_start_on_unknown_bucket(self):
        reply = self.call("POST", "/upload/storage/v1/b/nobucket/o?uploadType=resumable&name=a")
        self.assertJsonError(reply, 404, "notFound")


# ====================================================================== XML API

class PartialResponseTest(ServerTestCase):
    """The JSON API's `fields` parameter, and MD5 computed only when something needs it."""

    def stored_object(self, name):
        return self.server.store.get(BUCKET, name)

    def test_parse_fields(self):
        self.assertIsNone(parse_fields(None))
        self.assertIsNone(parse_fields(""))
        self.assertEqual(parse_fields("name,size"), {"name": None, "size": None})
        self.assertEqual(parse_fields("items(name,size),nextPageToken"),
                         {"items": {"name": None, "size": None}, "nextPageToken": None})
        self.assertEqual(parse_fields("a/b,a/c(d)"), {"a": {"b": None, "c": {"d": None}}})
        self.assertEqual(parse_fields("a,a/b"), {"a": None})  # the whole member wins
        for bad in ("name(", "items(name", "a//b", ",", "name)", "na-me"):
            with self.assertRaises(GcsError, msg=bad):
                parse_fields(bad)

    def test_media_upload_reply_keeps_only_the_fields_asked_for(self):
        data = b"chunk bytes"
        reply = self.upload("p/a", data, fields="name,size,generation,crc32c")
        self.assertEqual(reply.status, 200, reply.body)
        resource = reply.json()
        self.assertEqual(set(resource), {"name", "size", "generation", "crc32c"})
        self.assertEqual(resource["crc32c"], crc32c_base64(data))
        self.assertIsNone(self.stored_object("p/a")._md5)  # nobody asked for it yet
        self.assertEqual(self.call("GET", obj_path("p/a")).json()["md5Hash"], b64_md5(data))

    def test_md5_checks_still_happen_when_the_reply_omits_it(self):
        reply = self.upload("p/b", b"abc", fields="name")
        self.assertEqual(reply.status, 200, reply.body)
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=p/c&fields=name"
                          % BUCKET, b"abc", {"x-goog-hash": "md5=" + b64_md5(b"abd")})
        self.assertJsonError(reply, 400)
        self.assertNotIn("p/c", self.stored())

    def test_resumable_final_reply_uses_the_fields_of_the_start(self):
        data = os.urandom(QUANTUM + 10)
        session = self.start_resumable("p/r", query="&fields=name,crc32c")
        self.assertEqual(self.put_piece(session, data[:QUANTUM], first=0).status, 308)
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data))
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(reply.json(), {"name": "p/r", "crc32c": crc32c_base64(data)})
        self.assertEqual(self.stored()["p/r"]["md5Hash"], b64_md5(data))

    def test_list_selects_inside_items(self):
        for name in ("l/1", "l/2"):
            self.upload(name, b"x")
        reply = self.call("GET", "/storage/v1/b/%s/o?prefix=l/&fields=%s"
                          % (BUCKET, quote("items(name,size),nextPageToken")))
        self.assertEqual(reply.status, 200, reply.body)
        self.assertEqual(reply.json(), {"items": [{"name": "l/1", "size": "1"},
                                                  {"name": "l/2", "size": "1"}]})

    def test_invalid_selection_is_400_and_stores_nothing(self):
        reply = self.upload("p/bad", b"x", fields=quote("name("))
        self.assertJsonError(reply, 400, "invalid")
        self.assertNotIn("p/bad", self.stored())


class XmlApiTest(ServerTestCase):
    def test_put_get_head_delete(self):
        data = os.urandom(3000)
        reply = self.call("PUT", "/%s/x/y.bin" % BUCKET, data,
                          {"x-goog-hash": "crc32c=%s,md5=%s" % (crc32c_base64(data), b64_md5(data)),
                           "Content-Type": "application/octet-stream"})
        self.assertEqual(reply.status, 200, reply.body)
        generation = reply.header("x-goog-generation")
        self.assertTrue(generation.isdigit())
        self.assertIn("crc32c=" + crc32c_base64(data), reply.header("x-goog-hash"))

        reply = self.call("GET", "/%s/x/y.bin" % BUCKET)
        self.assertEqual((reply.status, reply.body), (200, data))
        self.assertEqual(reply.header("x-goog-generation"), generation)
        self.assertEqual(reply.header("ETag"), '"%s"' % hashlib.md5(data).hexdigest())
        reply = self.call("GET", "/%s/x/y.bin" % BUCKET, headers={"Range": "bytes=100-199"})
        self.assertEqual((reply.status, reply.body), (206, data[100:200]))

        reply = self.call("HEAD", "/%s/x/y.bin" % BUCKET)
        self.assertEqual((reply.status, reply.body), (200, b""))
        self.assertEqual(reply.header("Content-Length"), "3000")
        self.assertEqual(reply.header("x-goog-stored-content-length"), "3000")

        self.assertEqual(self.call("DELETE", "/%s/x/y.bin" % BUCKET).status, 204)
        reply = self.call("GET", "/%s/x/y.bin" % BUCKET)
        self.assertXmlError(reply, 404, "NoSuchKey")
        self.assertXmlError(self.call("DELETE", "/%s/x/y.bin" % BUCKET), 404, "NoSuchKey")

    def test_hash_mismatch_is_bad_digest(self):
        reply = self.call("PUT", "/%s/h" % BUCKET, b"data",
                          {"x-goog-hash": "crc32c=%s" % crc32c_base64(b"other")})
        self.assertXmlError(reply, 400, "BadDigest")
        reply = self.call("PUT", "/%s/h" % BUCKET, b"data", {"x-goog-hash": "md5=%s" % b64_md5(b"x")})
        self.assertXmlError(reply, 400, "BadDigest")
        reply = self.call("PUT", "/%s/h" % BUCKET, b"data", {"Content-MD5": b64_md5(b"x")})
        self.assertXmlError(reply, 400, "BadDigest")
        reply = self.call("PUT", "/%s/h" % BUCKET, b"data", {"x-goog-hash": "crc32c=@@"})
        self.assertXmlError(reply, 400, "InvalidDigest")
        self.assertEqual(self.stored(), {})

    def test_generation_precondition(self):
        headers = {"x-goog-if-generation-match": "0"}
        self.assertEqual(self.call("PUT", "/%s/p" % BUCKET, b"1", headers).status, 200)
        self.assertXmlError(self.call("PUT", "/%s/p" % BUCKET, b"2", headers), 412, "PreconditionFailed")
        generation = self.call("HEAD", "/%s/p" % BUCKET).header("x-goog-generation")
        reply = self.call("DELETE", "/%s/p" % BUCKET, headers={"x-goog-if-generation-match": "1"})
        self.assertXmlError(reply, 412, "PreconditionFailed")
        reply = self.call("DELETE", "/%s/p" % BUCKET, headers={"x-goog-if-generation-match": generation})
        self.assertEqual(reply.status, 204)

    def test_unknown_bucket(self):
        self.assertXmlError(self.call("GET", "/nobucket/a"), 404, "NoSuchBucket")
        self.assertXmlError(self.call("PUT", "/nobucket/a", b"x"), 404, "NoSuchBucket")

    def test_resumable_upload(self):
        data = os.urandom(QUANTUM + 5)
        reply = self.call("POST", "/%s/xr/obj" % BUCKET, b"",
                          {"x-goog-resumable": "start", "Content-Type": "application/x-zarr"})
        self.assertEqual(reply.status, 201)
        session = reply.header("Location")
        self.assertTrue(session.startswith(self.server.url + "/%s/xr/obj?upload_id=" % BUCKET))
        reply = self.put_piece(session, data[:QUANTUM], first=0)
        self.assertEqual((reply.status, reply.header("Range")), (308, "bytes=0-262143"))
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data),
                               headers={"x-goog-hash": "crc32c=" + crc32c_base64(data)})
        self.assertEqual(reply.status, 200, reply.body)
        self.assertIn("crc32c=" + crc32c_base64(data), reply.header("x-goog-hash"))
        self.assertEqual(self.call("GET", "/%s/xr/obj" % BUCKET).body, data)

    def test_resumable_hash_mismatch_and_cancel(self):
        session = self.call("POST", "/%s/xr/a" % BUCKET, b"", {"x-goog-resumable": "start"}).header("Location")
        reply = self.put_piece(session, b"abc", first=0, total=3,
                               headers={"x-goog-hash": "crc32c=" + crc32c_base64(b"abd")})
        self.assertXmlError(reply, 400, "BadDigest")
        session = self.call("POST", "/%s/xr/b" % BUCKET, b"", {"x-goog-resumable": "start"}).header("Location")
        self.assertEqual(self.call("DELETE", session).status, 499)
        self.assertEqual(self.put_piece(session, b"").status, 410)

    def test_post_without_resumable_header_is_400(self):
        self.assertXmlError(self.call("POST", "/%s/a" % BUCKET, b"x"), 400, "InvalidArgument")


# ====================================================================== HTTP details

class HttpTest(ServerTestCase):
    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        self.addCleanup(conn.close)
        for i in range(3):
            conn.request("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=k%d" % (BUCKET, i), b"x")
            response = conn.getresponse()
            self.assertEqual(response.status, 200)
            response.read()
            if i == 0:
                sock = conn.sock
            self.assertIs(conn.sock, sock)  # the same connection served every request
        conn.request("GET", obj_path("missing"))
        response = conn.getresponse()
        self.assertEqual(response.status, 404)
        self.assertEqual(int(response.headers["Content-Length"]), len(response.read()))

    def test_chunked_request_body(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        self.addCleanup(conn.close)
        pieces = [b"abc", b"", os.urandom(70000), b"xyz"]
        conn.request("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=chunked" % BUCKET,
                     body=iter(pieces), encode_chunked=True)
        response = conn.getresponse()
        self.assertEqual(response.status, 200, response.read())
        response.read()
        self.assertEqual(self.server.object_data(BUCKET, "chunked"), b"".join(pieces))

    def test_expect_100_continue(self):
        body = b"expected body"
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(("PUT /%s/e HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                          "Expect: 100-continue\r\n\r\n" % (BUCKET, len(body))).encode())
            interim = sock.recv(100)
            self.assertEqual(interim, b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(body)
            final = sock.recv(4096)
        self.assertTrue(final.startswith(b"HTTP/1.1 200 "), final)
        self.assertEqual(self.server.object_data(BUCKET, "e"), body)


# ====================================================================== auth

class AuthTest(ServerTestCase):
    tokens = ("token-one",)

    def bearer(self, token):
        return {"Authorization": "Bearer " + token}

    def test_requests_need_a_listed_bearer_token(self):
        reply = self.call("GET", "/storage/v1/b/%s/o" % BUCKET)
        self.assertJsonError(reply, 401, "required")
        self.assertIn("Bearer", reply.header("WWW-Authenticate"))
        self.assertJsonError(self.call("GET", "/storage/v1/b/%s/o" % BUCKET,
                                       headers=self.bearer("wrong")), 401, "authError")
        self.assertJsonError(self.call("GET", "/storage/v1/b/%s/o" % BUCKET,
                                       headers={"Authorization": "Basic token-one"}), 401, "authError")
        self.assertEqual(self.call("GET", "/storage/v1/b/%s/o" % BUCKET,
                                   headers=self.bearer("token-one")).status, 200)
        self.assertXmlError(self.call("GET", "/%s/a" % BUCKET), 401, "AuthenticationRequired")

    def test_token_replacement_at_runtime(self):
        self.control("POST", "tokens", {"tokens": ["token-two", "token-three"]})
        self.assertEqual(self.call("GET", obj_path("a"), headers=self.bearer("token-one")).status, 401)
        self.assertEqual(self.call("GET", obj_path("a"), headers=self.bearer("token-two")).status, 404)
        self.assertEqual(self.call("GET", obj_path("a"), headers=self.bearer("token-three")).status, 404)
        self.control("POST", "tokens", {"tokens": []})  # no tokens: no auth
        self.assertEqual(self.call("GET", obj_path("a")).status, 404)

    def test_control_api_needs_no_token(self):
        self.assertEqual(self.call("GET", "/_control/faults").status, 200)

    def test_request_log_never_holds_tokens(self):
        self.call("GET", obj_path("a") + "?access_token=token-one&prefix=p", headers=self.bearer("token-one"))
        self.call("GET", obj_path("a"), headers=self.bearer("not-listed-secret"))
        log = self.control("GET", "requests")["requests"]
        self.assertEqual([entry["auth"] for entry in log], ["Bearer", "Bearer"])
        self.assertEqual(log[0]["query"]["access_token"], "[REDACTED]")
        text = json.dumps(log)
        self.assertNotIn("token-one", text)
        self.assertNotIn("not-listed-secret", text)


# ====================================================================== control API and faults

class ControlTest(ServerTestCase):
    def test_request_log_records_what_clients_sent(self):
        data = b"payload"
        self.upload("l/a", data, ifGenerationMatch=0)
        body, headers = multipart_body({"name": "l/b", "crc32c": crc32c_base64(data)}, data)
        self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=multipart&ifGenerationMatch=0" % BUCKET,
                  body, headers)
        self.call("PUT", "/%s/l/c" % BUCKET, data, {"x-goog-hash": "crc32c=" + crc32c_base64(data)})
        log = self.control("GET", "requests")["requests"]
        self.assertEqual([e["op"] for e in log], ["upload_media", "upload_multipart", "xml_put"])
        self.assertEqual([e["status"] for e in log], [200, 200, 200])
        self.assertEqual([e["name"] for e in log], ["l/a", "l/b", "l/c"])
        self.assertEqual(log[0]["query"]["ifGenerationMatch"], "0")
        self.assertEqual(log[1]["metadata"]["crc32c"], crc32c_base64(data))
        self.assertEqual(log[2]["headers"]["x-goog-hash"], "crc32c=" + crc32c_base64(data))
        self.assertEqual(self.control("DELETE", "requests"), {"cleared": 3})
        self.assertEqual(self.control("GET", "requests"), {"requests": []})

    def test_objects_buckets_and_reset(self):
        data = b"abc"
        generation = self.upload("o/a", data).json()["generation"]
        objects = self.control("GET", "objects?bucket=" + BUCKET)["objects"]
        self.assertEqual(objects, [{"bucket": BUCKET, "name": "o/a", "size": 3,
                                    "crc32c": crc32c_base64(data), "md5Hash": b64_md5(data),
                                    "generation": generation,
                                    "contentType": "application/octet-stream"}])
        self.control("POST", "buckets", {"buckets": ["second"]})
        self.assertEqual(self.control("GET", "buckets")["buckets"], [BUCKET, "second"])
        self.faults({"op": "any", "action": "status"})
        self.control("POST", "reset")
        self.assertEqual(self.control("GET", "objects")["objects"], [])
        self.assertEqual(self.control("GET", "faults")["faults"], [])
        self.assertEqual(self.control("GET", "health"), {"ok": True})

    def test_invalid_rules_are_rejected_whole(self):
        bad = [{"op": "upload_media", "action": "status"}, {"op": "upload_media", "action": "explode"}]
        reply = self.call("POST", "/_control/faults", json.dumps(bad).encode())
        self.assertEqual(reply.status, 400)
        self.assertEqual(self.control("GET", "faults")["faults"], [])
        for rule in ({"op": "nope", "action": "status"},
                     {"op": "any", "action": "stall"},
                     {"op": "any", "action": "status", "count": 0},
                     {"op": "any", "action": "status", "colour": "red"},
                     {"op": "any", "action": "reset_after_request_bytes", "bytes": True},
                     {"op": "any", "action": "corrupt_crc", "target": "everything"}):
            self.assertEqual(self.call("POST", "/_control/faults",
                                       json.dumps([rule]).encode()).status, 400, rule)


class FaultTest(ServerTestCase):
    def test_status_fault_with_retry_after(self):
        self.faults({"op": "upload_media", "action": "status", "code": 503, "retry_after": 2})
        reply = self.upload("f/a", b"x")
        self.assertJsonError(reply, 503, "backendError")
        self.assertEqual(reply.header("Retry-After"), "2")
        self.assertNotIn("f/a", self.stored())
        self.assertEqual(self.upload("f/a", b"x").status, 200)  # the rule was used up
        log = self.control("GET", "requests")["requests"]
        self.assertEqual([(e["fault"], e["status"]) for e in log], [("status", 503), (None, 200)])

    def test_xml_status_fault_is_xml(self):
        self.faults({"op": "xml_get", "action": "status", "code": 429})
        self.assertXmlError(self.call("GET", "/%s/a" % BUCKET), 429, "SlowDown")

    def test_count_order_op_and_name_prefix(self):
        self.upload("x/1", b"")
        self.upload("y/1", b"")
        self.faults({"op": "get_metadata", "action": "status", "code": 500, "name_prefix": "x/", "count": 2},
                    {"op": "get_metadata", "action": "status", "code": 502},
                    {"op": "get_media", "action": "status", "code": 501},
                    {"op": "any", "action": "status", "code": 504})
        codes = [self.call("GET", obj_path(n)).status for n in ("y/1", "x/1", "x/1", "x/1", "x/1")]
        # y/1 is not under x/ so the second rule fires; x/1 takes the first rule twice;
        # get_media's rule never matches a metadata read, "any" does; then nothing is left.
        self.assertEqual(codes, [502, 500, 500, 504, 200])
        self.assertEqual([r["op"] for r in self.control("GET", "faults")["faults"]], ["get_media"])
        self.assertEqual(self.call("GET", obj_path("x/1") + "?alt=media").status, 501)

    def test_pending_rules_and_clear(self):
        self.faults({"op": "list", "action": "status", "count": 3})
        self.call("GET", "/storage/v1/b/%s/o" % BUCKET)
        pending = self.control("GET", "faults")["faults"]
        self.assertEqual(pending, [{"op": "list", "action": "status", "code": 503, "count": 2}])
        self.assertEqual(self.control("DELETE", "faults"), {"cleared": 1})
        self.assertEqual(self.call("GET", "/storage/v1/b/%s/o" % BUCKET).status, 200)

    def test_control_requests_are_never_faulted(self):
        self.faults({"op": "any", "action": "reset_before_body", "count": 5})
        self.assertEqual(self.control("GET", "faults")["faults"][0]["count"], 5)

    def assertConnectionFails(self, method, target, body=None, headers=None, timeout=5.0):
        with self.assertRaises((ConnectionError, http.client.HTTPException, socket.timeout)):
            self.call(method, target, body, headers, timeout)

    def test_reset_before_body(self):
        self.faults({"op": "upload_media", "action": "reset_before_body"})
        self.assertConnectionFails("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=r" % BUCKET,
                                   b"x" * 100000)
        self.assertNotIn("r", self.stored())
        self.assertTrue(wait_for(lambda: self.server.requests()))
        self.assertEqual(self.server.requests()[0]["outcome"], "reset")

    def test_reset_before_body_skips_100_continue(self):
        self.faults({"op": "xml_put", "action": "reset_before_body"})
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as sock:
            sock.sendall(("PUT /%s/e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                          "Expect: 100-continue\r\n\r\n" % BUCKET).encode())
            with self.assertRaises(ConnectionResetError):  # an RST, not a FIN or a 100
                sock.recv(100)

    def test_reset_after_request_bytes_without_persistence(self):
        session = self.start_resumable("r/a")
        self.faults({"op": "resumable_piece", "action": "reset_after_request_bytes", "bytes": 300000})
        self.assertConnectionFails("PUT", session, os.urandom(2 * QUANTUM),
                                   {"Content-Range": "bytes 0-524287/*"})
        reply = self.put_piece(session, b"")
        self.assertEqual((reply.status, reply.header("Range")), (308, None))

    def test_reset_after_request_bytes_persists_whole_quanta(self):
        data = os.urandom(3 * QUANTUM + 100)
        session = self.start_resumable("r/a")
        self.faults({"op": "resumable_piece", "action": "reset_after_request_bytes",
                     "bytes": 2 * QUANTUM + 1000, "persist_partial": True})
        self.assertConnectionFails("PUT", session, data, {"Content-Range": "bytes 0-%d/%d"
                                                          % (len(data) - 1, len(data))})
        reply = self.put_piece(session, b"", total=len(data))
        self.assertEqual((reply.status, reply.header("Range")), (308, "bytes=0-524287"))
        reply = self.put_piece(session, data[2 * QUANTUM:], first=2 * QUANTUM, total=len(data))
        self.assertEqual(reply.status, 200)
        self.assertEqual(self.server.object_data(BUCKET, "r/a"), data)

    def test_reset_after_response_bytes_still_performs_the_operation(self):
        self.faults({"op": "upload_media", "action": "reset_after_response_bytes", "bytes": 20})
        self.assertConnectionFails("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=done"
                                   % BUCKET, b"stored anyway")
        self.assertEqual(self.server.object_data(BUCKET, "done"), b"stored anyway")
        # A retry with ifGenerationMatch=0 now meets the object it created.
        self.assertEqual(self.upload("done", b"stored anyway", ifGenerationMatch=0).status, 412)

    def test_stall_longer_than_client_timeout_then_perform(self):
        self.faults({"op": "upload_media", "action": "stall", "seconds": 0.6})
        started = time.monotonic()
        self.assertConnectionFails("POST", "/upload/storage/v1/b/%s/o?uploadType=media&name=slow"
                                   % BUCKET, b"late", timeout=0.2)
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertNotIn("slow", self.stored())
        self.assertTrue(wait_for(lambda: "slow" in self.stored()))

    def test_stall_then_drop(self):
        self.faults({"op": "get_metadata", "action": "stall", "seconds": 0.1, "then": "drop"})
        self.upload("s", b"x")
        self.assertConnectionFails("GET", obj_path("s"))
        self.assertEqual(self.call("GET", obj_path("s")).status, 200)

    def test_stall_is_cut_short_by_stop(self):
        self.faults({"op": "list", "action": "stall", "seconds": 30})
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        self.addCleanup(sock.close)
        sock.sendall(("GET /storage/v1/b/%s/o HTTP/1.1\r\nHost: x\r\n\r\n" % BUCKET).encode())
        self.assertTrue(wait_for(lambda: not self.server.faults.pending()))
        started = time.monotonic()
        self.server.stop()
        self.assertLess(time.monotonic() - started, 2)

    def test_corrupt_crc_in_response(self):
        self.faults({"op": "upload_media", "action": "corrupt_crc"})
        data = b"some data"
        reply = self.upload("c", data)
        self.assertEqual(reply.status, 200)
        self.assertNotEqual(reply.json()["crc32c"], crc32c_base64(data))
        self.assertEqual(self.stored()["c"]["crc32c"], crc32c_base64(data))
        self.assertEqual(self.call("GET", obj_path("c")).json()["crc32c"], crc32c_base64(data))

    def test_corrupt_stored_data_shows_on_download(self):
        self.faults({"op": "xml_put", "action": "corrupt_crc", "target": "data"})
        data = b"precious bytes"
        reply = self.call("PUT", "/%s/c" % BUCKET, data)
        self.assertIn("crc32c=" + crc32c_base64(data), reply.header("x-goog-hash"))
        reply = self.call("GET", "/%s/c" % BUCKET)
        self.assertNotEqual(reply.body, data)
        self.assertEqual(reply.header("x-goog-hash").split(",")[0], "crc32c=" + crc32c_base64(data))
        self.assertNotEqual(crc32c_base64(reply.body), crc32c_base64(data))

    def test_corrupt_crc_on_download(self):
        data = b"fine bytes"
        self.upload("c", data)
        self.faults({"op": "get_media", "action": "corrupt_crc"},
                    {"op": "get_media", "action": "corrupt_crc", "target": "data"})
        reply = self.call("GET", obj_path("c") + "?alt=media")
        self.assertEqual(reply.body, data)
        self.assertNotIn("crc32c=" + crc32c_base64(data), reply.header("x-goog-hash"))
        reply = self.call("GET", obj_path("c") + "?alt=media")
        self.assertNotEqual(reply.body, data)
        self.assertIn("crc32c=" + crc32c_base64(data), reply.header("x-goog-hash"))

    def test_corrupt_crc_waits_for_the_piece_that_finishes_an_upload(self):
        data = os.urandom(QUANTUM + 7)
        self.faults({"op": "resumable_piece", "action": "corrupt_crc"})
        session = self.start_resumable("c")
        self.assertEqual(self.put_piece(session, data[:QUANTUM], first=0).status, 308)
        self.assertEqual(len(self.control("GET", "faults")["faults"]), 1)
        reply = self.put_piece(session, data[QUANTUM:], first=QUANTUM, total=len(data))
        self.assertEqual(reply.status, 200)
        self.assertNotEqual(reply.json()["crc32c"], crc32c_base64(data))
        self.assertEqual(self.stored()["c"]["crc32c"], crc32c_base64(data))
        self.assertEqual(self.control("GET", "faults")["faults"], [])

    def test_resumable_start_and_status_faults(self):
        self.faults({"op": "resumable_start", "action": "status", "code": 503})
        reply = self.call("POST", "/upload/storage/v1/b/%s/o?uploadType=resumable&name=a" % BUCKET)
        self.assertJsonError(reply, 503)
        session = self.start_resumable("a")
        self.faults({"op": "resumable_status", "action": "status", "code": 500})
        self.assertEqual(self.put_piece(session, b"x", first=0, total=1).status, 200)  # a piece
        session = self.start_resumable("b")
        self.assertEqual(self.put_piece(session, b"").status, 500)


# ====================================================================== command line

class CommandLineTest(unittest.TestCase):
    def start(self, *extra, cwd="/"):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp, True)
        port_file, log_file = os.path.join(tmp, "port"), os.path.join(tmp, "log")
        process = subprocess.Popen(
            ["/usr/bin/python3", SERVER_SCRIPT, "--port", "0", "--port-file", port_file,
             "--bucket", "cli", "--log", log_file] + list(extra),
            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.addCleanup(process.stdout.close)
        self.addCleanup(process.stderr.close)
        line = process.stdout.readline()
        self.assertTrue(os.path.exists(port_file), process.stderr.read() if not line else line)
        with open(port_file) as handle:
            port = int(handle.read())
        self.assertEqual(line.strip(), "listening on http://127.0.0.1:%d" % port)
        return process, "http://127.0.0.1:%d" % port, log_file

    def test_serves_and_stops_on_sigterm(self):
        process, url, log_file = self.start("--token", "cli-secret")
        reply = call(url, "POST", "/upload/storage/v1/b/cli/o?uploadType=media&name=a", b"x",
                     {"Authorization": "Bearer cli-secret"})
        self.assertEqual(reply.status, 200)
        self.assertEqual(call(url, "GET", "/storage/v1/b/other/o/a",
                              headers={"Authorization": "Bearer cli-secret"}).status, 404)
        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(timeout=5), 0)
        with open(log_file) as handle:
            log = handle.read()
        self.assertIn('"op": "upload_media"', log)
        self.assertNotIn("cli-secret", log)

    def test_stops_on_sigint(self):
        process, url, _ = self.start()
        self.assertEqual(call(url, "GET", "/_control/health").status, 200)
        process.send_signal(signal.SIGINT)
        self.assertEqual(process.wait(timeout=5), 0)


if __name__ == "__main__":
    unittest.main()
