"""Reading a JSON request body that may be hostile, before any service sees it.

Three limits, each answered with a status that says what and where:

- size: more than `max_bytes` is a 413. A declared Content-Length over the
  limit is refused before a byte is read; a body without one (chunked) is
  read at most `max_bytes + 1` bytes, so a lying or absent length cannot
  make the gateway hold more than the limit;
- depth: arrays and objects nested more than `max_depth` levels are a 422
  naming the path of the first container too deep (`body.contact.x[0]`).
  The depth is measured by an iterative scan of the text before parsing:
  Python's json parser recurses once per level and a few thousand levels
  raise RecursionError, so it never sees a body that deep;
- lone surrogates (`"\\ud800"`: valid JSON, not Unicode text) anywhere, keys
  included, are a 422 naming the path, with the offending key written as
  its escape so the answer itself can be encoded.

No nameko imports; the request is a werkzeug Request."""
import json
import re
from dataclasses import dataclass

import numpy
from werkzeug.exceptions import BadRequest

from services.contracts.errors import InvalidInput, ParkmatchError

ROOT = "body"
READ_CHUNK = 64 * 1024

# A JSON string (quotes and escapes included) or one structural character:
# everything the depth scan must see. Numbers, literals and blanks are skipped.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}:,]', re.DOTALL)
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# an opening bracket is a step down (+1), a closing one a step back up (-1 as int8)
_STEPS = bytes.maketrans(b"[{]}", bytes([1, 1, 255, 255]))
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))
# Only a \u escape of D800-DFFF can put a lone surrogate into parsed JSON (the
# text itself is decoded from UTF-8, which has none).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int = 1024 * 1024
    max_depth: int = 32


DEFAULT_LIMITS = BodyLimits()

class BodyTooLarge(ParkmatchError):
    """The request body is over the gateway's size limit (never crosses RPC)."""
    status = 413

    def __init__(self, max_bytes):
        super().__init__(f"the request body is too large: at most {_size(max_bytes)} "
                         "are accepted", {"max_bytes": max_bytes})


def _size(count):
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count} bytes ({count // (1024 * 1024)} MiB)"
    if count >= 1024 and count % 1024 == 0:
        return f"{count} bytes ({count // 1024} KiB)"
    return f"{count} bytes"


def read_json(request, limits=DEFAULT_LIMITS):
    """The body as parsed JSON ({} when empty), or the ParkmatchError saying
    why not: 400 not JSON, 413 too large, 422 too deep or not Unicode."""
    text = read_text(request, limits.max_bytes)
    if not text.strip():
        return {}
    too_deep = first_too_deep(text, limits.max_depth)
    if too_deep is None:
        try:
            value = json.loads(text)
        except RecursionError:  # unreachable after the scan; never a 500 though
            too_deep = ROOT
        except ValueError as exc:
            raise ParkmatchError(f"the body is not valid JSON: {exc}") from None
    if too_deep is not None:
        raise InvalidInput(
            {too_deep: [f"nested more than {limits.max_depth} levels deep"]},
            f"the body is nested more than {limits.max_depth} levels deep at {too_deep}")
    if _SURROGATE_ESCAPE.search(text):
        found = first_lone_surrogate(value)
        if found is not None:
            path, what = found
            raise InvalidInput({path: [f"{what} must be valid Unicode text (unpaired "
                                       "surrogate)"]},
                               f"the body holds an unpaired surrogate at {path}")
    return value


def read_text(request, max_bytes):
    """At most `max_bytes` of the body, decoded as UTF-8 (undecodable bytes
    replaced, as werkzeug does), or BodyTooLarge."""
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise BodyTooLarge(max_bytes)
    if declared is None and _is_chunked(request):
        # werkzeug reads no body without a Content-Length; the WSGI server
        # (eventlet) ends a chunked one, and the cap below bounds it
        stream = request.environ["wsgi.input"]
    else:
        stream = request.stream
    try:
        raw = _read_at_most(stream, max_bytes + 1)
    except BadRequest:  # the client went away before its Content-Length
        raise ParkmatchError("the body ended before its declared Content-Length") from None
    if len(raw) > max_bytes:
        raise BodyTooLarge(max_bytes)
    return raw.decode("utf-8", errors="replace")


def _is_chunked(request):
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


def _read_at_most(stream, limit):
    parts, total = [], 0
    while total < limit:
        part = stream.read(min(READ_CHUNK, limit - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def first_too_deep(text, max_depth):
    """The path of the first array or object nested deeper than `max_depth`
    (the body itself is level 1), or None. Iterative: any depth is safe."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # not enough brackets to be too deep, wherever they are
    if _deepest(text) <= max_depth:
        return None
    frames = []  # one [opener, current key or index] per open container
    last_string = None
    for match in _TOKENS.finditer(text):  # lazily: stops at the first too deep
        token = match.group()
        if token[0] == '"':
            last_string = token
        elif token in "[{":
            if len(frames) == max_depth:
                return _path(frames)
            frames.append(["[", 0] if token == "[" else ["{", None])
        elif token in "]}":
            if frames:
                frames.pop()
        elif token == ":" and frames and frames[-1][0] == "{":
            frames[-1][1] = _key_text(last_string)
        elif token == "," and frames and frames[-1][0] == "[":
            frames[-1][1] += 1
    return None


def _deepest(text):
    """How deep the text nests, fast: a regular expression drops the
    strings, bytes.translate all but the brackets, numpy sums the steps."""
    steps = _STRINGS.sub("", text).encode("utf-8").translate(_STEPS, _NOT_BRACKETS)
    if not steps:
        return 0
    steps = numpy.frombuffer(steps, dtype=numpy.int8)
    return int(steps.cumsum(dtype=numpy.int64).max())


def _path(frames):
    path = ROOT
    for opener, position in frames:
        path += f"[{position}]" if opener == "[" else f".{position}"
    return path


def _key_text(token):
    if token is None:
        return "?"
    try:
        key = json.loads(token)
    except ValueError:
        key = token[1:-1]
    return printable(key)


def printable(text):
    """`text` with any unpaired surrogate written as its \\uXXXX escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _encodable(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def first_lone_surrogate(value):
    """(path, "the key" | "the value") of the first key or string in document
    order that holds an unpaired surrogate, or None. Iterative."""
    pending = [(ROOT, value, "the value")]
    while pending:
        path, item, what = pending.pop()
        if isinstance(item, str):
            if not _encodable(item):
                return path, what
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                child_path = f"{path}.{printable(key)}"
                children += [(child_path, key, "the key"), (child_path, child, "the value")]
            pending.extend(reversed(children))
        elif isinstance(item, list):
            pending.extend(reversed([(f"{path}[{index}]", child, "the value")
                                     for index, child in enumerate(item)]))
    return None
