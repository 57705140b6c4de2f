#!/usr/bin/python3
"""A fault-injecting, in-memory Google Cloud Storage server for tests.

Standard library only. Speaks the parts of the GCS JSON API (/storage/v1,
/upload/storage/v1) and XML API (/BUCKET/OBJECT) that an uploader needs, and takes
orders under /_control/ (fault rules, request log, tokens, object listing, reset).
See README.md in this folder.

    /usr/bin/python3 gcs_server.py --port 0 --port-file PORT --bucket B [--token T]

In-process:

    from gcs_server import GcsServer
    with GcsServer(buckets=["b"]) as server:   # or .start() / .stop()
        ... server.url ...
"""

import argparse
import ctypes
import email.utils
import http
import json
import os
import re
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)  # the sibling modules, whatever the cwd or the importer

import gcs_errors as errors  # noqa: E402
from gcs_errors import GcsError  # noqa: E402
from gcs_faults import FaultQueue  # noqa: E402
from gcs_fields import inner, parse_fields, select, wants  # noqa: E402
from gcs_resumable import Sessions  # noqa: E402
from gcs_store import (DEFAULT_CONTENT_TYPE, PASSTHROUGH_FIELDS, Preconditions, Store,  # noqa: E402
                       metadata_hashes, parse_goog_hash, rfc3339, validate_name, wrong_crc)

_REASONS = {308: "Resume Incomplete", 499: "Client Closed Request"}

# Headers copied into the request log: enough to check what a client sent, never credentials.
_LOGGED_HEADERS = ("content-type", "content-length", "content-range", "transfer-encoding",
                   "expect", "range", "content-md5", "x-goog-hash", "x-goog-if-generation-match",
                   "x-goog-resumable", "x-upload-content-length", "x-upload-content-type")
_SECRET_QUERY_KEYS = {"access_token", "oauth_token", "token", "key", "signature",
                      "x-goog-signature", "x-goog-credential"}
_MAX_LOGGED_REQUESTS = 100000
_ACCESS_TOKEN_IN_TEXT = re.compile(r"((?:access_token|Bearer)[=\s]+)[^\s&'\"]+", re.IGNORECASE)


class _Dropped(Exception):
    """The connection was reset on purpose; nothing more to send."""


class _Response:
    def __init__(self, status, body=b"", content_type=None, headers=()):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)


class _Route:
    def __init__(self, api, op, handler, bucket=None, name=None, session=None,
                 object_reply=True):
        self.api = api          # "json" or "xml": the shape of errors
        self.op = op            # the operation name fault rules match on
        self.handler = handler
        self.bucket = bucket
        self.name = name
        self.session = session
        self.object_reply = object_reply  # the reply reports or carries an object


class _BodyReader:
    """Reads a request body (Content-Length or chunked), sending 100 Continue lazily.

    Lazily, so that a fault can reset the connection before the client sends a byte.
    """

    def __init__(self, handler):
        self._handler = handler
        headers = handler.headers
        self._chunked = "chunked" in headers.get("Transfer-Encoding", "").lower()
        self._continue_pending = headers.get("Expect", "").lower() == "100-continue"
        self._chunk_left = 0
        self._done = False
        length = headers.get("Content-Length", "0").strip()
        # An unreadable length leaves the body unframed: the connection cannot be reused.
        self.framed = self._chunked or length.isdigit()
        self._remaining = int(length) if not self._chunked and self.framed else 0

    def read(self, limit=None):
        """Up to limit bytes of the body (all of the rest when limit is None)."""
        # Pieces joined once at the end: a framed body comes back as the very
        # object rfile.read made, without copying tens of MiB again.
        pieces, got = [], 0
        while limit is None or got < limit:
            piece = self._read_some(None if limit is None else limit - got)
            if not piece:
                break
            pieces.append(piece)
            got += len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def _read_some(self, want):
        if not self.framed:
            raise errors.invalid("Invalid Content-Length header.")
        if self._done:
            return b""
        if self._continue_pending:
            self._continue_pending = False
            self._handler.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        rfile = self._handler.rfile
        if not self._chunked:
            size = self._remaining if want is None else min(want, self._remaining)
            if size == 0:
                self._done = self._remaining == 0
                return b""
            return self._exactly(size, lambda n: setattr(self, "_remaining", self._remaining - n))
        if self._chunk_left == 0:
            line = rfile.readline(65537)
            try:
                self._chunk_left = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise ConnectionError("malformed chunked request body") from None
            if self._chunk_left == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailer fields
                self._done = True
                return b""
        size = self._chunk_left if want is None else min(want, self._chunk_left)
        data = self._exactly(size, lambda n: setattr(self, "_chunk_left", self._chunk_left - n))
        if self._chunk_left == 0:
            rfile.readline(65537)  # the CRLF closing the chunk
        return data

    def _exactly(self, size, account):
        data = self._handler.rfile.read(size)
        if len(data) < size:
            raise ConnectionError("the client closed the connection mid-body")
        account(size)
        return data


class GcsRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gcs-test-server"
    sys_version = ""

    # ------------------------------------------------------------ plumbing

    def handle(self):
        try:
            super().handle()
        except (ConnectionError, socket.timeout, TimeoutError):
            pass  # the client went away between requests: nothing to answer

    def handle_expect_100(self):
        return True  # 100 Continue is sent by _BodyReader when the body is first read

    def log_message(self, format, *args):
        self.server.state.log_line("http: " + (format % args))

    def setup(self):
        super().setup()
        self.server.state.track_connection(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.state.track_connection(self.connection, False)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = lambda self: self._dispatch()

    @property
    def state(self):
        return self.server.state

    def _dispatch(self):
        self._fault = None
        self._api = "json"
        self._body = b""
        entry = self._entry = {
            "time": rfc3339(time.time_ns() // 1000), "method": self.command,
            "path": self.path.split("?", 1)[0], "api": None, "op": None, "bucket": None,
            "name": None, "query": {}, "headers": {}, "auth": None, "metadata": None,
            "body_bytes": 0, "status": None, "fault": None, "outcome": "response",
        }
        control = entry["path"] == "/_control" or entry["path"].startswith("/_control/")
        self._recorded = control  # the request log is about storage requests only
        self._reader = _BodyReader(self)
        try:
            split = urlsplit(self.path)
            self._query = self._parse_query(split.query)
            if control:
                return self._control(split.path)
            self._note_request()
            route = self._route(self.command, split.path)
            entry.update(api=route.api, op=route.op, bucket=route.bucket, name=route.name)
            self.state.check_auth(self.headers.get("Authorization"), route.api)
            if route.api == "json":
                parse_fields(self._query.get("fields"))  # a bad selection fails before any change
            self._fault = self.state.faults.take(route.op, route.name, route.object_reply)
            entry["fault"] = self._fault and self._fault["action"]
            self._send(self._perform(route))
        except _Dropped:
            pass
        except GcsError as error:
            self._reply_error(error)
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True
            entry["outcome"] = "client_gone"
        except Exception:  # a server bug: say so loudly, keep serving
            self.state.log_line("internal error:\n" + traceback.format_exc())
            self._reply_error(GcsError(500, "backendError", "Internal error in the test server."))
        finally:
            self._record()

    def _record(self):
        """Log the request once, before the client can see any reply: a client that has
        its answer can then rely on finding the request in /_control/requests."""
        if not self._recorded:
            self._recorded = True
            self.state.record(self._entry)

    def _reply_error(self, error):
        try:
            if self._reader.framed:
                self._reader.read()  # keep the connection usable: consume what the client sent
            else:
                self.close_connection = True
            self._send(self._error_response(error))
        except _Dropped:
            pass
        except (ConnectionError, socket.timeout, TimeoutError):
            self.close_connection = True
            self._entry["outcome"] = "client_gone"

    def _perform(self, route):
        """Run the request's fault (if any) around reading the body and the handler."""
        fault = self._fault or {}
        action = fault.get("action")
        if action == "reset_before_body":
            self._drop()
        if action == "reset_after_request_bytes":
            received = self._reader.read(fault["bytes"])
            self._entry["body_bytes"] = len(received)
            if fault.get("persist_partial") and route.op == "resumable_piece":
                self.state.sessions.persist_partial(
                    route.session, self.headers.get("Content-Range"), received)
            self._drop()
        self._body = self._reader.read()
        self._entry["body_bytes"] = len(self._body)
        if action == "stall":
            self.state.stopping.wait(fault["seconds"])
            if fault["then"] == "drop":
                self._drop()
        if action == "status":
            code = fault["code"]
            headers = []
            if fault.get("retry_after") is not None:
                headers.append(("Retry-After", str(fault["retry_after"])))
            message = fault.get("message") or (
                "We encountered an internal error. Please try again." if code >= 500
                else "Injected fault: HTTP %d." % code)
            raise GcsError(code, fault.get("reason") or errors.default_reason(code), message,
                           headers=headers)
        return route.handler(route)

    def _corrupt(self):
        """None, "response" or "data": what a corrupt_crc fault asks us to damage."""
        if self._fault and self._fault["action"] == "corrupt_crc":
            return self._fault["target"]
        return None

    def _drop(self):
        """Abort the connection with a TCP RST (SO_LINGER 0) rather than a FIN."""
        self._entry["outcome"] = "reset"
        self._record()
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # release makefile()'s hold so close() really closes the fd
            self.connection.close()
        except OSError:
            pass
        raise _Dropped()

    def _send(self, response):
        self._entry["status"] = response.status
        reason = _REASONS.get(response.status)
        if reason is None:
            try:
                reason = http.HTTPStatus(response.status).phrase
            except ValueError:
                reason = "Unknown"
        lines = ["HTTP/1.1 %d %s" % (response.status, reason),
                 "Date: " + email.utils.formatdate(usegmt=True),
                 "Server: " + self.server_version]
        if response.content_type:
            lines.append("Content-Type: " + response.content_type)
        for key, value in response.headers:
            lines.append("%s: %s" % (key, value))
        body = response.body
        if response.status in (204, 304) or 100 <= response.status < 200:
            body = b""  # these replies never carry a body or Content-Length
        else:
            lines.append("Content-Length: %d" % len(body))
        if self.command == "HEAD":
            body = b""
        if self.close_connection:
            lines.append("Connection: close")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        fault = self._fault or {}
        if fault.get("action") == "reset_after_response_bytes":
            self._entry["outcome"] = "reset"
            self._record()
            self.wfile.write(raw[:fault["bytes"]])
            self._drop()
        self._record()
        self.wfile.write(raw)

    def _error_response(self, error):
        if self._api == "xml":
            body, ctype = error.xml_body(), "application/xml; charset=UTF-8"
        else:
            body, ctype = error.json_body(), "application/json; charset=UTF-8"
        headers = list(error.headers)
        if error.status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/"'))
        return _Response(error.status, body, ctype, headers)

    def _json(self, obj, status=200, headers=()):
        return _Response(status, json.dumps(obj).encode("utf-8"),
                         "application/json; charset=UTF-8", headers)

    # ------------------------------------------------------------ request details

    def _parse_query(self, raw):
        try:
            text = raw.encode("latin-1").decode("utf-8")  # http.server decoded as latin-1
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except UnicodeError:
            raise errors.invalid("The query string is not valid UTF-8.") from None
        query = {}
        for key, value in pairs:
            query.setdefault(key, value)
        return query

    def _note_request(self):
        secrets_ = self.state.tokens()
        self._entry["query"] = {
            key: "[REDACTED]" if key.lower() in _SECRET_QUERY_KEYS
            or any(token in value for token in secrets_) else value
            for key, value in self._query.items()}
        self._entry["headers"] = {key: self.headers[key] for key in _LOGGED_HEADERS
                                  if self.headers.get(key) is not None}
        auth = self.headers.get("Authorization")
        self._entry["auth"] = auth.split(None, 1)[0] if auth and auth.strip() else None

    def _decode_name(self, segment):
        try:
            name = unquote_to_bytes(segment.encode("latin-1")).decode("utf-8")
        except UnicodeError:
            raise errors.invalid("The object name is not valid UTF-8.") from None
        return validate_name(name)

    def _query_name(self, metadata=None):
        name = self._query.get("name") or (metadata or {}).get("name")
        if not isinstance(name, str) or not name:
            raise errors.required("Required parameter: name")
        validate_name(name)
        self._entry["name"] = name
        return name

    def _json_preconditions(self):
        return Preconditions(self._query.get("ifGenerationMatch"),
                             self._query.get("ifGenerationNotMatch"))

    def _xml_preconditions(self):
        return Preconditions(self.headers.get("x-goog-if-generation-match"))

    def _goog_hash(self):
        return parse_goog_hash(self.headers.get_all("x-goog-hash") or [])

    def _json_metadata(self, raw):
        if not raw.strip():
            return {}
        try:
            metadata = json.loads(raw)
        except (ValueError, UnicodeError):
            raise GcsError(400, "parseError", "Parse Error", "InvalidArgument") from None
        if not isinstance(metadata, dict):
            raise GcsError(400, "parseError", "Parse Error", "InvalidArgument")
        self._entry["metadata"] = metadata
        return metadata

    def _base_url(self):
        host = self.headers.get("Host")
        return "http://" + host if host else self.state.url

    # ------------------------------------------------------------ routing

    def _route(self, method, path):
        for base in ("/upload/storage/v1/", "/storage/v1/", "/download/storage/v1/"):
            if path.startswith(base):
                self._api = "json"
                return self._route_json(method, base, path[len(base):])
        self._api = "xml"
        return self._route_xml(method, path)

    def _route_json(self, method, base, rest):
        parts = rest.split("/", 3)  # b, BUCKET, o, NAME (NAME is one %-encoded segment)
        if len(parts) < 2 or parts[0] != "b" or not parts[1]:
            raise GcsError(404, "notFound", "Not Found")
        bucket = unquote_to_bytes(parts[1]).decode("utf-8", "replace")
        upload = base == "/upload/storage/v1/"
        if len(parts) == 2 and not upload:
            if method == "GET":
                return _Route("json", "get_bucket", self._h_get_bucket, bucket, object_reply=False)
        elif len(parts) == 3 and parts[2] == "o":
            if upload and "upload_id" in self._query:
                return self._route_session("json", method, self._query["upload_id"])
            if upload and method == "POST":
                kind = self._query.get("uploadType")
                handlers = {"media": ("upload_media", self._h_upload_media),
                            "multipart": ("upload_multipart", self._h_upload_multipart),
                            "resumable": ("resumable_start", self._h_resumable_start)}
                if kind not in handlers:
                    raise errors.invalid("Invalid or missing uploadType: %r" % kind)
                op, handler = handlers[kind]
                return _Route("json", op, handler, bucket, self._query.get("name"),
                              object_reply=op != "resumable_start")
            if not upload and method == "GET":
                return _Route("json", "list", self._h_list, bucket, self._query.get("prefix", ""),
                              object_reply=False)
        elif len(parts) == 4 and parts[2] == "o" and not upload:
            name = self._decode_name(parts[3])
            if method == "GET":
                media = self._query.get("alt") == "media" or base == "/download/storage/v1/"
                if media:
                    return _Route("json", "get_media", self._h_get_media, bucket, name)
                return _Route("json", "get_metadata", self._h_get_metadata, bucket, name)
            if method == "DELETE":
                return _Route("json", "delete", self._h_delete, bucket, name, object_reply=False)
        raise GcsError(405, "methodNotAllowed", "Method %s is not supported for %s"
                       % (method, base + rest), "MethodNotAllowed")

    def _route_xml(self, method, path):
        bucket, _, segment = path.lstrip("/").partition("/")
        if not bucket or not segment:
            raise GcsError(501, "notImplemented", "Only object requests are implemented.",
                           "NotImplemented")
        bucket = unquote_to_bytes(bucket).decode("utf-8", "replace")
        name = self._decode_name(segment)
        if "upload_id" in self._query:
            return self._route_session("xml", method, self._query["upload_id"])
        routes = {"PUT": ("xml_put", self._h_xml_put), "GET": ("xml_get", self._h_xml_get),
                  "HEAD": ("xml_head", self._h_xml_get), "DELETE": ("xml_delete", self._h_xml_delete)}
        if method == "POST":
            if self.headers.get("x-goog-resumable", "").lower() != "start":
                raise errors.invalid("POST Object needs the header x-goog-resumable: start.")
            return _Route("xml", "xml_resumable_start", self._h_xml_resumable_start, bucket, name,
                          object_reply=False)
        if method not in routes:
            raise GcsError(405, "methodNotAllowed", "Method not allowed.", "MethodNotAllowed")
        op, handler = routes[method]
        return _Route("xml", op, handler, bucket, name, object_reply=op != "xml_delete")

    def _route_session(self, api, method, upload_id):
        session = self.state.sessions.get(upload_id)
        if method == "DELETE":
            return _Route(api, "resumable_cancel", self._h_session_cancel,
                          session.bucket, session.name, session, object_reply=False)
        if method not in ("PUT", "POST"):
            raise GcsError(405, "methodNotAllowed", "Method not allowed.", "MethodNotAllowed")
        empty = (self.headers.get("Content-Length", "0").strip() == "0"
                 and "chunked" not in self.headers.get("Transfer-Encoding", "").lower())
        status_query = empty and self.headers.get("Content-Range", "").replace(" ", "").startswith("bytes*/")
        op = "resumable_status" if status_query else "resumable_piece"
        return _Route(api, op, self._h_session_put, session.bucket, session.name, session,
                      object_reply=session.finishes(self.headers.get("Content-Range")))

    # ------------------------------------------------------------ JSON API

    def _h_get_bucket(self, route):
        return self._json(self.state.store.bucket_resource(route.bucket))

    def _resource(self, obj, fields=None):
        crc = wrong_crc(obj.crc32c) if self._corrupt() == "response" else None
        return self._json(obj.resource(crc, parse_fields(self._query.get("fields", fields))))

    def _h_upload_media(self, route):
        obj = self.state.store.insert(
            route.bucket, self._query_name(), self._body,
            self.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE,
            self._json_preconditions(), self._goog_hash(),
            corrupt_data=self._corrupt() == "data")
        return self._resource(obj)

    def _h_upload_multipart(self, route):
        match = re.search(r'boundary="?([^";]+)"?', self.headers.get("Content-Type", ""))
        if not match or "multipart/" not in self.headers.get("Content-Type", "").lower():
            raise errors.invalid("A multipart upload needs Content-Type multipart/related "
                                 "with a boundary.")
        parts = _split_multipart(self._body, match.group(1).encode("latin-1"))
        if len(parts) != 2:
            raise errors.invalid("A multipart upload must have exactly two parts, not %d."
                                 % len(parts))
        (_, raw_metadata), (part_headers, data) = parts
        metadata = self._json_metadata(raw_metadata)
        obj = self.state.store.insert(
            route.bucket, self._query_name(metadata), data,
            metadata.get("contentType") or part_headers.get("content-type"),
            self._json_preconditions(), metadata_hashes(metadata) + self._goog_hash(),
            extra={k: metadata[k] for k in PASSTHROUGH_FIELDS if k in metadata},
            corrupt_data=self._corrupt() == "data")
        return self._resource(obj)

    def _h_resumable_start(self, route):
        metadata = self._json_metadata(self._body)
        name = self._query_name(metadata)
        session = self.state.sessions.start(
            "json", route.bucket, name,
            metadata.get("contentType") or self.headers.get("X-Upload-Content-Type"),
            metadata_hashes(metadata), self._json_preconditions(), self._declared_size(),
            {k: metadata[k] for k in PASSTHROUGH_FIELDS if k in metadata})
        session.fields = self._query.get("fields")  # for the reply that completes the upload
        location = "%s/upload/storage/v1/b/%s/o?uploadType=resumable&name=%s&upload_id=%s" % (
            self._base_url(), quote(route.bucket, safe=""), quote(name, safe=""), session.id)
        return _Response(200, headers=[("Location", location),
                                       ("X-GUploader-UploadID", session.id)])

    def _declared_size(self):
        value = self.headers.get("X-Upload-Content-Length")
        if value is None:
            return None
        if not value.strip().isdigit():
            raise errors.invalid("Invalid X-Upload-Content-Length: %r" % value)
        return int(value)

    def _h_list(self, route):
        try:
            max_results = int(self._query.get("maxResults", "1000"))
        except ValueError:
            max_results = 0
        if max_results < 1:
            raise errors.invalid("Invalid value for maxResults: %r" % self._query.get("maxResults"))
        objects, prefixes, token = self.state.store.list(
            route.bucket, self._query.get("prefix", ""), self._query.get("delimiter", ""),
            max_results, self._query.get("pageToken") or None)
        reply = {"kind": "storage#objects"}
        if token:
            reply["nextPageToken"] = token
        if prefixes:  # GCS omits empty lists
            reply["prefixes"] = prefixes
        selection = parse_fields(self._query.get("fields"))
        if objects and wants(selection, "items"):
            reply["items"] = [obj.resource(selection=inner(selection, "items")) for obj in objects]
        return self._json(select(reply, selection))

    def _h_get_metadata(self, route):
        return self._resource(self._get_object(route, self._json_preconditions()))

    def _h_get_media(self, route):
        return self._media(self._get_object(route, self._json_preconditions()), xml=False)

    def _get_object(self, route, preconditions):
        # A held ifGenerationNotMatch raises a 304 GcsError; _send drops its body.
        return self.state.store.get(route.bucket, route.name, preconditions,
                                    self._query.get("generation"))

    def _h_delete(self, route):
        self.state.store.delete(route.bucket, route.name, self._json_preconditions(),
                                self._query.get("generation"))
        return _Response(204)

    # ------------------------------------------------------------ XML API

    def _h_xml_put(self, route):
        expected = self._goog_hash()
        if self.headers.get("Content-MD5"):
            expected += parse_goog_hash(["md5=" + self.headers["Content-MD5"].strip()])
        obj = self.state.store.insert(
            route.bucket, route.name, self._body,
            self.headers.get("Content-Type") or DEFAULT_CONTENT_TYPE,
            self._xml_preconditions(), expected, corrupt_data=self._corrupt() == "data")
        return _Response(200, headers=self._xml_object_headers(obj))

    def _h_xml_get(self, route):
        return self._media(self._get_object(route, self._xml_preconditions()), xml=True)

    def _h_xml_delete(self, route):
        self.state.store.delete(route.bucket, route.name, self._xml_preconditions())
        return _Response(204)

    def _h_xml_resumable_start(self, route):
        session = self.state.sessions.start(
            "xml", route.bucket, route.name, self.headers.get("Content-Type"),
            preconditions=self._xml_preconditions(), declared_size=self._declared_size())
        location = "%s/%s/%s?upload_id=%s" % (self._base_url(), quote(route.bucket, safe=""),
                                              quote(route.name, safe="/"), session.id)
        return _Response(201, headers=[("Location", location),
                                       ("X-GUploader-UploadID", session.id)])

    def _xml_object_headers(self, obj):
        crc = wrong_crc(obj.crc32c) if self._corrupt() == "response" else obj.crc32c
        return [("ETag", '"%s"' % obj.md5_hex),
                ("x-goog-generation", str(obj.generation)),
                ("x-goog-metageneration", str(obj.metageneration)),
                ("x-goog-hash", "crc32c=%s,md5=%s" % (crc, obj.md5)),
                ("x-goog-stored-content-length", str(obj.size)),
                ("x-goog-stored-content-encoding", "identity")]

    # ------------------------------------------------------------ both APIs

    def _media(self, obj, xml):
        """The object's bytes (or a Range of them) with GCS's download headers."""
        corrupt = self._corrupt()
        crc = wrong_crc(obj.crc32c) if corrupt == "response" else obj.crc32c
        headers = [("ETag", '"%s"' % obj.md5_hex if xml else obj.etag),
                   ("Last-Modified", email.utils.formatdate(obj.created / 1e6, usegmt=True)),
                   ("Accept-Ranges", "bytes"),
                   ("x-goog-generation", str(obj.generation)),
                   ("x-goog-metageneration", str(obj.metageneration)),
                   ("x-goog-hash", "crc32c=%s,md5=%s" % (crc, obj.md5)),
                   ("x-goog-stored-content-length", str(obj.size)),
                   ("x-goog-stored-content-encoding", "identity"),
                   ("x-goog-storage-class", "STANDARD")]
        data = obj.data
        if corrupt == "data":  # damaged in transit; the hash header stays true
            data = bytes([data[0] ^ 0xFF]) + data[1:] if data else b"\xff"
        wanted = _parse_range(self.headers.get("Range"), obj.size)
        if wanted is None:
            return _Response(200, data, obj.content_type, headers)
        first, last = wanted
        headers.append(("Content-Range", "bytes %d-%d/%d" % (first, last, obj.size)))
        return _Response(206, data[first:last + 1], obj.content_type, headers)

    def _h_session_put(self, route):
        session = route.session
        obj = self.state.sessions.put(session, self.headers.get("Content-Range"), self._body,
                                      self._goog_hash(), self._corrupt() == "data")
        if obj is None:
            rng = session.range_header()
            return _Response(308, headers=[("Range", rng)] if rng else [])
        if session.api == "xml":
            return _Response(200, headers=self._xml_object_headers(obj))
        return self._resource(obj, session.fields)

    def _h_session_cancel(self, route):
        self.state.sessions.cancel(route.session.id)
        return _Response(499)

    # ------------------------------------------------------------ control API

    def _control(self, path):
        state = self.state
        body = self._reader.read()
        method = self.command
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError as error:
            return self._send(self._json({"error": "invalid JSON: %s" % error}, 400))
        try:
            if path == "/_control/faults" and method == "POST":
                added = state.faults.add(payload if payload is not None else [])
                reply = {"added": added, "faults": state.faults.pending()}
            elif path == "/_control/faults" and method == "GET":
                reply = {"faults": state.faults.pending()}
            elif path == "/_control/faults" and method == "DELETE":
                reply = {"cleared": state.faults.clear()}
            elif path == "/_control/requests" and method == "GET":
                reply = {"requests": state.requests()}
            elif path == "/_control/requests" and method == "DELETE":
                reply = {"cleared": state.clear_requests()}
            elif path == "/_control/tokens" and method == "POST":
                tokens = (payload or {}).get("tokens")
                if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
                    raise ValueError('expected {"tokens": ["...", ...]}')
                state.set_tokens(tokens)
                reply = {"tokens": len(tokens)}  # never echo the tokens themselves
            elif path == "/_control/objects" and method == "GET":
                reply = {"objects": state.objects(self._query.get("bucket"))}
            elif path == "/_control/buckets" and method == "GET":
                reply = {"buckets": state.store.bucket_names()}
            elif path == "/_control/buckets" and method == "POST":
                names = (payload or {}).get("buckets")
                if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
                    raise ValueError('expected {"buckets": ["name", ...]}')
                for name in names:
                    state.store.add_bucket(name)
                reply = {"buckets": state.store.bucket_names()}
            elif path == "/_control/reset" and method == "POST":
                state.reset()
                reply = {"reset": True}
            elif path == "/_control/health" and method == "GET":
                reply = {"ok": True}
            else:
                return self._send(self._json({"error": "no control endpoint %s %s"
                                              % (method, path)}, 404))
        except (ValueError, GcsError) as error:
            return self._send(self._json({"error": str(error)}, 400))
        self._send(self._json(reply))


def _parse_range(header, size):
    """(first, last) for a single satisfiable byte range; None to send everything.

    Unsupported or malformed Range headers are ignored, as RFC 9110 allows.
    """
    if not header or size == 0:
        return None
    match = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", header)
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # suffix: the last N bytes
        if int(last) == 0:
            raise _unsatisfiable(size)
        return max(0, size - int(last)), size - 1
    first = int(first)
    last = size - 1 if last == "" else min(int(last), size - 1)
    if first >= size:
        raise _unsatisfiable(size)
    if last < first:
        return None
    return first, last


def _unsatisfiable(size):
    return GcsError(416, "requestedRangeNotSatisfiable", "Request range not satisfiable",
                    "InvalidRange", headers=[("Content-Range", "bytes */%d" % size)])


def _split_multipart(body, boundary):
    """Parts of a multipart body as [(headers dict with lower-case keys, content)]."""
    parts = []
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary)
    for segment in segments[1:]:  # segments[0] is the preamble
        if segment.startswith(b"--"):
            break  # the closing delimiter
        line_end = segment.find(b"\r\n")
        if line_end < 0:
            raise errors.invalid("Malformed multipart body.")
        rest = segment[line_end + 2:]
        if rest.startswith(b"\r\n"):
            raw_headers, content = b"", rest[2:]
        else:
            header_end = rest.find(b"\r\n\r\n")
            if header_end < 0:
                raise errors.invalid("Malformed multipart body.")
            raw_headers, content = rest[:header_end], rest[header_end + 4:]
        headers = {}
        for line in raw_headers.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.strip():
                headers[key.strip().lower()] = value.strip()
        parts.append((headers, content))
    return parts


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # parallel uploaders: the default backlog of 5 drops SYNs

    def server_bind(self):
        # Skip HTTPServer.server_bind's reverse DNS lookup (getfqdn): no DNS in sandboxes.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]


class _HttpServerV6(_HttpServer):
    address_family = socket.AF_INET6


class GcsServer:
    """The server and its state; every control operation is also a method here."""

    def __init__(self, host="127.0.0.1", port=0, buckets=(), tokens=(), log_path=None):
        self.host = host
        self._requested_port = port
        self.store = Store(buckets)
        self.sessions = Sessions(self.store)
        self.faults = FaultQueue()
        self._initial_tokens = frozenset(tokens)
        self._tokens = self._initial_tokens
        self._lock = threading.Lock()
        self._requests = []
        self._seq = 0
        self._connections = set()
        self._log = open(log_path, "a", encoding="utf-8") if log_path else None
        self.stopping = threading.Event()
        self._httpd = None
        self._thread = None

    # ------------------------------------------------------------ lifecycle

    def start(self):
        server_class = _HttpServerV6 if ":" in self.host else _HttpServer
        self._httpd = server_class((self.host, self._requested_port), GcsRequestHandler)
        self._httpd.state = self
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.02},  # quick stop()
                                        name="gcs-server", daemon=True)
        self._thread.start()
        self.log_line("listening on %s" % self.url)
        return self

    def stop(self):
        if self._httpd is None:
            return
        self.stopping.set()  # wakes stalled requests
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # unblock handlers waiting on idle keep-alives
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join()
        self._httpd = None
        with self._lock:
            if self._log:
                self._log.close()
                self._log = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        return "http://%s:%d" % ("[%s]" % host if ":" in host else host, self.port)

    def track_connection(self, connection, open_):
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    # ------------------------------------------------------------ control

    def add_faults(self, rules):
        return self.faults.add(rules)

    def clear_faults(self):
        return self.faults.clear()

    def tokens(self):
        return self._tokens

    def set_tokens(self, tokens):
        self._tokens = frozenset(tokens)

    def check_auth(self, header, api):
        tokens = self._tokens
        if not tokens:
            return
        if not header or not header.strip():
            raise GcsError(401, "required", "Login Required", "AuthenticationRequired")
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in tokens:
            raise GcsError(401, "authError", "Invalid Credentials", "AuthenticationRequired")

    def record(self, entry):
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._requests.append(entry)
            del self._requests[:-_MAX_LOGGED_REQUESTS]
        self.log_line(json.dumps(entry))

    def requests(self):
        with self._lock:
            return json.loads(json.dumps(self._requests))  # a deep copy

    def clear_requests(self):
        with self._lock:
            cleared = len(self._requests)
            self._requests.clear()
        return cleared

    def objects(self, bucket=None):
        return self.store.snapshot(bucket)

    def object_data(self, bucket, name):
        """The stored bytes (for in-process assertions)."""
        return self.store.get(bucket, name).data

    def reset(self):
        """Forget objects, sessions, faults and the request log; restore the startup tokens."""
        self.store.clear_objects()
        self.sessions.clear()
        self.faults.clear()
        self.clear_requests()
        self._tokens = self._initial_tokens

    def log_line(self, text):
        """Append to --log; tokens are scrubbed even from http.server's own messages."""
        for token in self._tokens | self._initial_tokens:
            text = text.replace(token, "[REDACTED]")
        text = _ACCESS_TOKEN_IN_TEXT.sub(r"\1[REDACTED]", text)
        with self._lock:
            if self._log:
                self._log.write(text.rstrip("\n") + "\n")
                self._log.flush()


def _write_atomically(path, text):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _keep_freed_memory():
    """Have glibc keep freed memory for the next objects instead of handing it
    back to the kernel, which zeroes fresh pages for every upload: tens of MiB
    an object, CPU taken from the client under test on the same cores. (A
    tuning of this process only; glibc's mallopt, skipped elsewhere.)"""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, 1)           # M_ARENA_MAX: one pool for every thread
        libc.mallopt(-3, 32 << 20)    # M_MMAP_THRESHOLD: the most glibc allows
        libc.mallopt(-1, 2**31 - 1)   # M_TRIM_THRESHOLD (an int): keep up to 2 GiB free
    except (OSError, AttributeError):
        pass


def main(argv=None):
    parser = argparse.ArgumentParser(description="In-memory, fault-injecting GCS test server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", help="write the chosen port here once listening")
    parser.add_argument("--token", action="append", default=[],
                        help="accepted bearer token (repeatable); none means no auth")
    parser.add_argument("--bucket", action="append", default=[], help="bucket to create (repeatable)")
    parser.add_argument("--log", help="append a JSON line per request to this file")
    args = parser.parse_args(argv)
    _keep_freed_memory()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    server = GcsServer(args.host, args.port, args.bucket, args.token, log_path=args.log).start()
    if args.port_file:
        _write_atomically(args.port_file, "%d\n" % server.port)
    print("listening on %s" % server.url, flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
