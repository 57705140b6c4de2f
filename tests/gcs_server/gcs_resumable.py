"""Resumable upload sessions: the Content-Range protocol shared by the JSON and XML APIs.

Rules (GCS documentation, "Perform resumable uploads"):
- every piece but the last must be a multiple of 256 KiB;
- a piece may start at or before the persisted size (bytes already persisted are
  ignored, so a blind retry is harmless) but never after it: that would leave a gap;
- `bytes */TOTAL` with an empty body asks for the status, and finalises the upload
  when TOTAL bytes are already persisted;
- the object is created only when the last byte arrives, and the preconditions and
  hashes given at the start (or x-goog-hash on the last request) are checked then.
"""

import re
import secrets
import threading

import gcs_errors as errors
from gcs_crc32c import crc32c
from gcs_store import NO_PRECONDITIONS

QUANTUM = 256 * 1024

_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)")


def parse_content_range(value):
    """'bytes F-L/T' -> (F, L, T); '*' parts become None."""
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if not match:
        raise errors.invalid("Invalid Content-Range header: %r" % value)
    first, last, total = match.groups()
    total = None if total == "*" else int(total)
    if first is None:
        return None, None, total
    first, last = int(first), int(last)
    if last < first:
        raise errors.invalid("Invalid Content-Range header: %r" % value)
    return first, last, total


class Session:
    def __init__(self, api, bucket, name, content_type, expected, preconditions,
                 declared_size, extra):
        self.id = secrets.token_urlsafe(24)
        self.api = api  # "json" or "xml": decides the shape of the final reply
        self.bucket = bucket
        self.name = name
        self.content_type = content_type
        self.expected = list(expected)
        self.preconditions = preconditions or NO_PRECONDITIONS
        self.declared_size = declared_size  # X-Upload-Content-Length, if given
        self.total = declared_size
        self.extra = extra
        self.fields = None  # the JSON API's `fields` of the request that opened the session
        self.pieces = []  # the bytes persisted so far, joined once when the upload ends
        self.committed = 0
        self.crc = 0
        self.result = None  # the object, once finalised
        self.error = None   # the error that ended the session, repeated to later requests
        self.lock = threading.Lock()

    def range_header(self):
        """Value of the Range header of a 308 reply; None when nothing is persisted."""
        return "bytes=0-%d" % (self.committed - 1) if self.committed else None

    def finishes(self, content_range):
        """Whether a PUT with this Content-Range completes the upload (if it is valid)."""
        if content_range is None:
            return True
        try:
            first, last, total = parse_content_range(content_range)
        except errors.GcsError:
            return False
        if total is None:
            return False
        return last + 1 == total if first is not None else total == self.committed

    def append(self, chunk):
        self.pieces.append(chunk)
        self.committed += len(chunk)
        self.crc = crc32c(chunk, self.crc)


class Sessions:
    def __init__(self, store):
        self._store = store
        self._lock = threading.Lock()
        self._sessions = {}
        self._cancelled = set()

    def start(self, api, bucket, name, content_type=None, expected=(), preconditions=None,
              declared_size=None, extra=None):
        self._store.require_bucket(bucket)
        session = Session(api, bucket, name, content_type, expected, preconditions,
                          declared_size, extra or {})
        with self._lock:
            self._sessions[session.id] = session
        return session

    def get(self, upload_id):
        with self._lock:
            session = self._sessions.get(upload_id)
            if session is None and upload_id in self._cancelled:
                raise errors.GcsError(410, "gone", "The upload session was cancelled.", "Gone")
        if session is None:
            raise errors.GcsError(404, "notFound", "No such upload session.", "NoSuchUpload")
        return session

    def cancel(self, upload_id):
        with self._lock:
            if self._sessions.pop(upload_id, None) is None:
                raise errors.GcsError(404, "notFound", "No such upload session.", "NoSuchUpload")
            self._cancelled.add(upload_id)

    def clear(self):
        with self._lock:
            self._sessions.clear()
            self._cancelled.clear()

    def put(self, session, content_range, body, hashes=(), corrupt_data=False):
        """Apply one PUT to the session: the object when finalised, None when incomplete."""
        with session.lock:
            if session.result is not None:
                return session.result
            if session.error is not None:
                raise session.error
            if content_range is None:  # the whole object in one request
                content_range = ("bytes 0-%d/%d" % (len(body) - 1, len(body))
                                 if body else "bytes */0")
            first, last, total = parse_content_range(content_range)
            if first is None:
                if body:
                    raise errors.invalid("Content-Range %r carries no bytes, but the request "
                                         "has a body." % content_range)
                if total is None:
                    return None
                self._check_total(session, total)
                session.total = total
                if total == session.committed:
                    return self._finalise(session, hashes, corrupt_data)
                return None
            self._check_piece(session, first, last, total, len(body))
            if total is not None:
                session.total = total
            if last >= session.committed:
                skip = session.committed - first  # bytes resent after a lost reply
                session.append(memoryview(body)[skip:] if skip else body)
            if total is not None and last + 1 == total:
                return self._finalise(session, hashes, corrupt_data)
            return None

    def persist_partial(self, session, content_range, received):
        """A piece was cut off after `received`: keep its whole 256 KiB units, as GCS may."""
        with session.lock:
            if session.result is not None or session.error is not None or not content_range:
                return
            try:
                first, last, total = parse_content_range(content_range)
            except errors.GcsError:
                return
            if first is None or first > session.committed:
                return
            keep = len(received) // QUANTUM * QUANTUM
            if first + keep > session.committed:
                session.append(received[session.committed - first:keep])

    @staticmethod
    def _check_total(session, total):
        if total < session.committed:
            raise errors.invalid("The object size %d is smaller than the %d bytes already "
                                 "persisted." % (total, session.committed))
        if session.total is not None and total != session.total:
            raise errors.invalid("The object size %d differs from the size %d given earlier."
                                 % (total, session.total))

    @classmethod
    def _check_piece(cls, session, first, last, total, body_size):
        if total is not None:
            cls._check_total(session, total)
        if last - first + 1 != body_size:
            raise errors.invalid("Content-Range names %d bytes but the request carries %d."
                                 % (last - first + 1, body_size))
        size = total if total is not None else session.total
        if size is not None and last >= size:
            raise errors.invalid("Content-Range ends at byte %d, beyond the object size %d."
                                 % (last, size))
        final = total is not None and last + 1 == total
        if not final and body_size % QUANTUM:
            # GCS's wording for this rule.
            raise errors.invalid(
                "Invalid request. The number of bytes uploaded is required to be equal or "
                "greater than %d, except for the final request (it's recommended to be the "
                "exact multiple of %d). The received request contained %d bytes, which does "
                "not meet this requirement." % (QUANTUM, QUANTUM, body_size))
        if first > session.committed:
            raise errors.invalid(
                "Invalid request. According to the Content-Range header, the upload offset is "
                "%d byte(s), which exceeds already uploaded size of %d byte(s)."
                % (first, session.committed))

    def _finalise(self, session, hashes, corrupt_data):
        try:
            obj = self._store.insert(
                session.bucket, session.name, b"".join(session.pieces), session.content_type,
                preconditions=session.preconditions, expected=session.expected + list(hashes),
                extra=session.extra, crc=session.crc, corrupt_data=corrupt_data)
        except errors.GcsError as error:
            session.error = error
            raise
        session.result = obj
        session.pieces = []  # the store has the joined bytes
        return obj
