"""GCS-shaped errors, rendered for the JSON API or the XML API.

One exception type carries both spellings (JSON `reason`, XML `Code`), so the
storage logic does not need to know which API the request came through.
"""

import json
from xml.sax.saxutils import escape

# Default JSON reason and XML code for a bare status (injected faults, etc.).
_DEFAULTS = {
    400: ("invalid", "InvalidArgument"),
    401: ("authError", "AuthenticationRequired"),
    403: ("forbidden", "AccessDenied"),
    404: ("notFound", "NoSuchKey"),
    408: ("requestTimeout", "RequestTimeout"),
    410: ("gone", "Gone"),
    412: ("conditionNotMet", "PreconditionFailed"),
    416: ("requestedRangeNotSatisfiable", "InvalidRange"),
    429: ("rateLimitExceeded", "SlowDown"),
    500: ("backendError", "InternalError"),
    502: ("backendError", "BadGateway"),
    503: ("backendError", "ServiceUnavailable"),
    504: ("backendError", "GatewayTimeout"),
}


class GcsError(Exception):
    def __init__(self, status, reason, message, xml_code=None, headers=None, xml_message=None):
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.xml_code = xml_code or default_xml_code(status)
        self.xml_message = xml_message or message
        self.headers = list(headers or [])

    def json_body(self):
        return json.dumps({
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
            }
        }).encode("utf-8")

    def xml_body(self):
        return ("<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>"
                % (escape(self.xml_code), escape(self.xml_message))).encode("utf-8")


def default_reason(status):
    return _DEFAULTS.get(status, ("backendError" if status >= 500 else "invalid", None))[0]


def default_xml_code(status):
    code = _DEFAULTS.get(status, (None, None))[1]
    return code or ("InternalError" if status >= 500 else "InvalidArgument")


def invalid(message):
    return GcsError(400, "invalid", message, "InvalidArgument")


def required(message):
    return GcsError(400, "required", message, "InvalidArgument")


def bucket_not_found():
    return GcsError(404, "notFound", "The specified bucket does not exist.", "NoSuchBucket")


def object_not_found(bucket, name):
    return GcsError(404, "notFound", "No such object: %s/%s" % (bucket, name), "NoSuchKey",
                    xml_message="The specified key does not exist.")


def precondition_failed():
    return GcsError(412, "conditionNotMet",
                    "At least one of the pre-conditions you specified did not hold.",
                    "PreconditionFailed")


def bad_digest(kind, provided, calculated):
    # Wording of GCS's JSON API; the XML API documents BadDigest for x-goog-hash mismatches.
    label = "CRC32C" if kind == "crc32c" else "MD5 hash"
    return GcsError(400, "invalid", 'Provided %s "%s" doesn\'t match calculated %s "%s".'
                    % (label, provided, label, calculated), "BadDigest")


def invalid_digest(message):
    return GcsError(400, "invalid", message, "InvalidDigest")
