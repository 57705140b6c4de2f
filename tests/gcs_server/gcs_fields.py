"""The JSON API's `fields` parameter: a partial response.

`fields=name,size,crc32c` keeps only those members of a reply;
`items(name,size),nextPageToken` selects inside a list's items, `a/b` inside
an object, and `*` keeps everything at its level. A selection is a dict from
member name to the selection inside it (None: the whole member). An invalid
selection is a 400, as GCS answers it.
"""

from gcs_errors import invalid


def parse_fields(text):
    """The selection a `fields` value asks for; None when there is none."""
    if text is None or not text.strip():
        return None
    selection, rest = _parse_list(text.replace(" ", ""), text)
    if rest:
        raise _bad(text)
    return selection


def wants(selection, member):
    """Whether a reply trimmed to selection keeps member (None keeps everything)."""
    return selection is None or "*" in selection or member in selection


def inner(selection, member):
    """The selection inside member, or None for all of it."""
    if selection is None:
        return None
    return selection.get(member, selection.get("*"))


def select(value, selection):
    """value trimmed to selection: members of objects, each item of a list."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [select(item, selection) for item in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if wants(selection, key):
            out[key] = select(item, inner(selection, key))
    return out


def _parse_list(text, whole):
    """Comma-separated members up to a closing parenthesis or the end."""
    selection = {}
    while True:
        path, text = _parse_name_path(text, whole)
        sub = None
        if text.startswith("("):
            sub, text = _parse_list(text[1:], whole)
            if not text.startswith(")"):
                raise _bad(whole)
            text = text[1:]
        _merge(selection, path, sub)
        if not text.startswith(","):
            return selection, text
        text = text[1:]


def _parse_name_path(text, whole):
    """a/b/c -> ["a", "b", "c"] and what follows it."""
    path = []
    while True:
        end = 0
        while end < len(text) and (text[end].isalnum() or text[end] in "_*"):
            end += 1
        if end == 0:
            raise _bad(whole)
        path.append(text[:end])
        text = text[end:]
        if not text.startswith("/"):
            return path, text
        text = text[1:]


def _merge(selection, path, sub):
    """Add path (with sub inside its last step) to selection."""
    head, rest = path[0], path[1:]
    if not rest and sub is None:
        selection[head] = None  # the whole member
        return
    if head in selection and selection[head] is None:
        return  # the whole member is already selected
    below = selection.setdefault(head, {})
    if rest:
        _merge(below, rest, sub)
    else:
        for key, value in sub.items():
            _merge(below, [key], value)


def _bad(text):
    return invalid("Invalid field selection %s" % text)
