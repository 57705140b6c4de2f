"""In-memory buckets and objects with GCS semantics.

Generations, preconditions, hash validation, object resources and listing with
prefix/delimiter/paging live here; HTTP does not.
"""

import base64
import binascii
import datetime
import hashlib
import json
import threading
import time

import gcs_errors as errors
from gcs_crc32c import crc32c, to_base64
from gcs_fields import select, wants

MAX_NAME_BYTES = 1024
MAX_PAGE_SIZE = 1000
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Object metadata fields a client may set that we store and echo back unchanged.
PASSTHROUGH_FIELDS = ("cacheControl", "contentDisposition", "contentEncoding",
                      "contentLanguage", "customTime", "metadata")


def rfc3339(micros):
    moment = datetime.datetime.fromtimestamp(micros / 1e6, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def validate_name(name):
    """Object naming rules from the GCS documentation."""
    if not name:
        raise errors.required("Required parameter: name")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise errors.invalid("The object name is longer than %d bytes." % MAX_NAME_BYTES)
    if "\r" in name or "\n" in name or name in (".", ".."):
        raise errors.invalid("The object name is not valid: %r." % name)
    return name


def wrong_crc(crc_b64):
    """A different, well-formed crc32c (for the corrupt_crc fault)."""
    value = int.from_bytes(base64.b64decode(crc_b64), "big") ^ 0x5A5A5A5A
    return to_base64(value)


def _varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


# ---------------------------------------------------------------- hashes

_HASH_BYTES = {"crc32c": 4, "md5": 16}


def checked_hash(kind, value):
    """Validate a client-supplied base64 hash; return it unchanged."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raw = None
    if raw is None or len(raw) != _HASH_BYTES[kind]:
        raise errors.invalid_digest("The %s value %r is not a valid base64 %d-byte digest."
                                    % (kind, value, _HASH_BYTES[kind]))
    return value


def parse_goog_hash(header_values):
    """x-goog-hash: crc32c=...,md5=... (possibly repeated) -> [(kind, value)]."""
    found = []
    for header in header_values:
        for item in header.split(","):
            kind, sep, value = item.strip().partition("=")
            kind = kind.strip().lower()
            if not sep or kind not in _HASH_BYTES:
                continue  # other algorithms are not ours to judge
            found.append((kind, checked_hash(kind, value.strip())))
    return found


def metadata_hashes(metadata):
    """crc32c / md5Hash fields of JSON object metadata -> [(kind, value)]."""
    found = []
    if metadata.get("crc32c") is not None:
        found.append(("crc32c", checked_hash("crc32c", str(metadata["crc32c"]))))
    if metadata.get("md5Hash") is not None:
        found.append(("md5", checked_hash("md5", str(metadata["md5Hash"]))))
    return found


def md5_base64(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def check_hashes(expected, crc_b64, md5_of):
    """md5_of: a function giving the MD5, called only when the client sent one."""
    for kind, value in expected:
        actual = crc_b64 if kind == "crc32c" else md5_of()
        if value != actual:
            raise errors.bad_digest(kind, value, actual)


# ---------------------------------------------------------------- preconditions

class Preconditions:
    """ifGenerationMatch / ifGenerationNotMatch (x-goog-if-generation-match in XML)."""

    def __init__(self, match=None, not_match=None):
        self.match = self._parse("ifGenerationMatch", match)
        self.not_match = self._parse("ifGenerationNotMatch", not_match)

    @staticmethod
    def _parse(label, value):
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            number = -1
        if number < 0:
            raise errors.invalid("Invalid value for %s: %r" % (label, value))
        return number

    def check(self, live, not_match_status=412):
        """live is the current object or None. 0 means "no live object"."""
        generation = live.generation if live else 0
        if self.match is not None and self.match != generation:
            raise errors.precondition_failed()
        if self.not_match is not None and self.not_match == generation:
            if not_match_status == 304:
                raise errors.GcsError(304, "notModified", "Not Modified", "NotModified")
            raise errors.precondition_failed()

    def as_dict(self):
        return {k: v for k, v in (("ifGenerationMatch", self.match),
                                  ("ifGenerationNotMatch", self.not_match)) if v is not None}


NO_PRECONDITIONS = Preconditions()


# ---------------------------------------------------------------- objects

class StoredObject:
    def __init__(self, bucket, name, data, generation, content_type, crc_b64, md5_b64, extra):
        self.bucket = bucket
        self.name = name
        self.data = data
        self.generation = generation
        self.metageneration = 1
        self.content_type = content_type
        self.crc32c = crc_b64
        self._md5 = md5_b64  # None until asked for: MD5 is the server's dearest work
        self.extra = extra
        self.created = generation  # generations are microsecond timestamps

    @property
    def size(self):
        return len(self.data)

    @property
    def etag(self):
        # GCS JSON etags encode (generation, metageneration) this way.
        raw = b"\x08" + _varint(self.generation) + b"\x10" + _varint(self.metageneration)
        return base64.b64encode(raw).decode("ascii")

    @property
    def md5(self):
        if self._md5 is None:
            self._md5 = md5_base64(self.data)
        return self._md5

    @property
    def md5_hex(self):
        return base64.b64decode(self.md5).hex()

    def resource(self, crc_b64=None, selection=None):
        """The object resource, trimmed to a `fields` selection (see gcs_fields)."""
        created = rfc3339(self.created)
        resource = {
            "kind": "storage#object",
            "id": "%s/%s/%d" % (self.bucket, self.name, self.generation),
            "name": self.name,
            "bucket": self.bucket,
            "generation": str(self.generation),
            "metageneration": str(self.metageneration),
            "contentType": self.content_type,
            "storageClass": "STANDARD",
            "size": str(self.size),
            "crc32c": crc_b64 or self.crc32c,
            "etag": self.etag,
            "timeCreated": created,
            "updated": created,
            "timeStorageClassUpdated": created,
        }
        if wants(selection, "md5Hash"):
            resource["md5Hash"] = self.md5
        resource.update(self.extra)
        return select(resource, selection)

    def summary(self):
        return {"bucket": self.bucket, "name": self.name, "size": self.size,
                "crc32c": self.crc32c, "md5Hash": self.md5,
                "generation": str(self.generation), "contentType": self.content_type}


class Store:
    def __init__(self, buckets=()):
        self._lock = threading.Lock()
        self._buckets = {}  # name -> {"created": micros, "objects": {name: StoredObject}}
        self._last_generation = 0
        for bucket in buckets:
            self.add_bucket(bucket)

    def _next_generation(self):
        # Microsecond timestamps, strictly increasing even within one microsecond.
        self._last_generation = max(self._last_generation + 1, time.time_ns() // 1000)
        return self._last_generation

    def _objects(self, bucket):
        try:
            return self._buckets[bucket]["objects"]
        except KeyError:
            raise errors.bucket_not_found() from None

    def add_bucket(self, bucket):
        with self._lock:
            self._buckets.setdefault(bucket, {"created": self._next_generation(), "objects": {}})

    def bucket_names(self):
        with self._lock:
            return sorted(self._buckets)

    def clear_objects(self):
        with self._lock:
            for bucket in self._buckets.values():
                bucket["objects"].clear()

    def bucket_resource(self, bucket):
        with self._lock:
            self._objects(bucket)
            created = rfc3339(self._buckets[bucket]["created"])
        return {"kind": "storage#bucket", "id": bucket, "name": bucket,
                "projectNumber": "0", "metageneration": "1", "location": "US",
                "locationType": "multi-region", "storageClass": "STANDARD",
                "etag": "CAE=", "timeCreated": created, "updated": created}

    def require_bucket(self, bucket):
        with self._lock:
            self._objects(bucket)

    def insert(self, bucket, name, data, content_type=None, preconditions=NO_PRECONDITIONS,
               expected=(), extra=None, crc=None, md5_b64=None, corrupt_data=False):
        """Store data as the new live generation of bucket/name.

        expected: [(kind, base64)] hashes supplied by the client; a mismatch stores nothing.
        crc: precomputed CRC32C (resumable sessions compute it as bytes arrive).
        md5_b64: precomputed MD5; without it the MD5 is computed when first needed.
        corrupt_data: keep the hashes of data but store damaged bytes (fault injection).
        """
        validate_name(name)
        self.require_bucket(bucket)
        data = bytes(data)
        crc_b64 = to_base64(crc32c(data) if crc is None else crc)
        def md5_of():
            nonlocal md5_b64
            md5_b64 = md5_b64 or md5_base64(data)
            return md5_b64

        check_hashes(expected, crc_b64, md5_of)
        if corrupt_data:
            md5_of()  # the hashes stay those of the bytes sent
            data = bytes([data[0] ^ 0xFF]) + data[1:] if data else b"\xff"
        with self._lock:
            objects = self._objects(bucket)
            preconditions.check(objects.get(name))
            obj = StoredObject(bucket, name, data, self._next_generation(),
                               content_type or DEFAULT_CONTENT_TYPE, crc_b64, md5_b64,
                               dict(extra or {}))
            objects[name] = obj
            return obj

    def get(self, bucket, name, preconditions=NO_PRECONDITIONS, generation=None):
        with self._lock:
            obj = self._objects(bucket).get(name)
        if obj is None or (generation is not None and str(obj.generation) != str(generation)):
            raise errors.object_not_found(bucket, name)
        preconditions.check(obj, not_match_status=304)
        return obj

    def delete(self, bucket, name, preconditions=NO_PRECONDITIONS, generation=None):
        with self._lock:
            objects = self._objects(bucket)
            obj = objects.get(name)
            if obj is None or (generation is not None and str(obj.generation) != str(generation)):
                raise errors.object_not_found(bucket, name)
            preconditions.check(obj)
            del objects[name]

    def snapshot(self, bucket=None):
        with self._lock:
            if bucket is not None:
                objects = list(self._objects(bucket).values())
            else:
                objects = [o for b in self._buckets.values() for o in b["objects"].values()]
        return [o.summary() for o in sorted(objects, key=lambda o: (o.bucket, o.name.encode()))]

    # ------------------------------------------------------------ listing

    def list(self, bucket, prefix="", delimiter="", max_results=MAX_PAGE_SIZE, page_token=None):
        """One page of a listing: (objects, prefixes, next_page_token or None).

        Entries (objects and prefixes together) come in byte order of names; a prefix
        stands for every name under it, so it is reported once, even across pages.
        """
        max_results = min(max_results, MAX_PAGE_SIZE)
        after = self._decode_token(page_token) if page_token else None
        with self._lock:
            objects = dict(self._objects(bucket))
        names = sorted((n for n in objects if n.startswith(prefix)), key=lambda n: n.encode())
        if after is not None:
            kind, key = after
            key_bytes = key.encode()
            names = [n for n in names if n.encode() > key_bytes
                     and not (kind == "prefix" and n.startswith(key))]

        entries = []
        last_prefix = None
        for name in names:
            if delimiter:
                cut = name.find(delimiter, len(prefix))
                if cut >= 0:
                    group = name[:cut + len(delimiter)]
                    if group != last_prefix:  # names under one prefix are contiguous
                        last_prefix = group
                        entries.append(("prefix", group))
                    if len(entries) > max_results:
                        break
                    continue
            entries.append(("object", name))
            if len(entries) > max_results:
                break

        next_token = None
        if len(entries) > max_results:
            entries = entries[:max_results]
            next_token = self._encode_token(entries[-1])
        found = [objects[key] for kind, key in entries if kind == "object"]
        prefixes = [key for kind, key in entries if kind == "prefix"]
        return found, prefixes, next_token

    @staticmethod
    def _encode_token(entry):
        return base64.urlsafe_b64encode(json.dumps(list(entry)).encode()).decode("ascii")

    @staticmethod
    def _decode_token(token):
        try:
            kind, key = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
            if kind in ("object", "prefix") and isinstance(key, str):
                return kind, key
        except (ValueError, TypeError, UnicodeError, binascii.Error):
            pass
        raise errors.invalid("Invalid page token.")
