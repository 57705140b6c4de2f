"""Fault injection rules: a queue of misbehaviours waiting for matching requests.

A rule is a JSON object {"op": OP, "action": ACTION, ...params, "count": 1,
"name_prefix": "..."}. Rules are tried in the order they were added; the first one
whose op and name_prefix match fires, and its count goes down by one (a rule is
removed when it reaches 0). corrupt_crc rules only fire on requests whose reply
carries or stores an object (so a non-final resumable piece does not use one up).
Rules are checked up front so that a typo fails the test that adds it instead of
silently never firing.
"""

import copy
import threading

OPS = frozenset([
    "upload_media", "upload_multipart", "resumable_start", "resumable_piece",
    "resumable_status", "resumable_cancel", "get_metadata", "get_media", "list",
    "delete", "get_bucket", "xml_put", "xml_get", "xml_head", "xml_delete",
    "xml_resumable_start", "any",
])

REQUIRED = object()

# action -> {parameter: (kind, default)}; a default of REQUIRED means the rule must say it.
ACTIONS = {
    "status": {"code": ("int", 503), "retry_after": ("number_or_str", None),
               "reason": ("str", None), "message": ("str", None)},
    "reset_before_body": {},
    "reset_after_request_bytes": {"bytes": ("int", REQUIRED), "persist_partial": ("bool", False)},
    "reset_after_response_bytes": {"bytes": ("int", REQUIRED)},
    "stall": {"seconds": ("number", REQUIRED), "then": ("str", "perform")},
    "corrupt_crc": {"target": ("str", "response")},
}
_CHOICES = {("stall", "then"): ("perform", "drop"),
            ("corrupt_crc", "target"): ("response", "data")}


def _has_kind(value, kind):
    # bool is an int in Python; a JSON true is never a number here.
    is_int = isinstance(value, int) and not isinstance(value, bool)
    is_number = is_int or isinstance(value, float)
    return {"int": is_int, "number": is_number, "bool": isinstance(value, bool),
            "str": isinstance(value, str),
            "number_or_str": is_number or isinstance(value, str)}[kind]


def validate_rule(rule):
    """A normalised copy of rule (defaults filled in); ValueError if it is malformed."""
    if not isinstance(rule, dict):
        raise ValueError("a fault rule must be a JSON object, got %r" % (rule,))
    op, action = rule.get("op"), rule.get("action")
    if op not in OPS:
        raise ValueError("unknown op %r; expected one of %s" % (op, sorted(OPS)))
    if action not in ACTIONS:
        raise ValueError("unknown action %r; expected one of %s" % (action, sorted(ACTIONS)))
    params = ACTIONS[action]
    unknown = set(rule) - {"op", "action", "count", "name_prefix"} - set(params)
    if unknown:
        raise ValueError("unknown field(s) %s for action %r" % (sorted(unknown), action))

    clean = {"op": op, "action": action}
    count = rule.get("count", 1)
    if not _has_kind(count, "int") or count < 1:
        raise ValueError("count must be a positive integer, got %r" % (count,))
    clean["count"] = count
    if rule.get("name_prefix") is not None:
        if not isinstance(rule["name_prefix"], str):
            raise ValueError("name_prefix must be a string")
        clean["name_prefix"] = rule["name_prefix"]

    for key, (kind, default) in params.items():
        if key not in rule:
            if default is REQUIRED:
                raise ValueError("action %r needs %r" % (action, key))
            if default is not None:
                clean[key] = default
            continue
        value = rule[key]
        if not _has_kind(value, kind):
            raise ValueError("%s.%s must be of kind %s, got %r" % (action, key, kind, value))
        if kind in ("int", "number") and value < 0:
            raise ValueError("%s.%s must not be negative" % (action, key))
        if (action, key) in _CHOICES and value not in _CHOICES[(action, key)]:
            raise ValueError("%s.%s must be one of %s" % (action, key, _CHOICES[(action, key)]))
        clean[key] = value
    if action == "status" and not 100 <= clean["code"] <= 599:
        raise ValueError("status.code must be an HTTP status code")
    return clean


class FaultQueue:
    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []

    def add(self, rules):
        """Append one rule or a list of rules (all or none: each is validated first)."""
        if isinstance(rules, dict):
            rules = [rules]
        if not isinstance(rules, list):
            raise ValueError("expected a fault rule or a list of fault rules")
        clean = [validate_rule(rule) for rule in rules]
        with self._lock:
            self._rules.extend(clean)
        return len(clean)

    def take(self, op, name, object_reply=True):
        """The first rule matching this request (consuming one count), or None."""
        with self._lock:
            for index, rule in enumerate(self._rules):
                if rule["op"] not in (op, "any"):
                    continue
                if rule["action"] == "corrupt_crc" and not object_reply:
                    continue
                if not (name or "").startswith(rule.get("name_prefix", "")):
                    continue
                rule["count"] -= 1
                if rule["count"] == 0:
                    del self._rules[index]
                fired = dict(rule)
                del fired["count"]
                return fired
        return None

    def pending(self):
        with self._lock:
            return copy.deepcopy(self._rules)

    def clear(self):
        with self._lock:
            removed = len(self._rules)
            self._rules.clear()
        return removed
