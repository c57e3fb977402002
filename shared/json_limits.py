"""Limits every JSON body or message is held to before it is parsed.

``json.loads`` recurses once per nesting level: a body of 100,000 ``[`` raises ``RecursionError``
deep inside the parser, which a web server answers with a 500 and a dropped connection. The depth
is therefore measured first, without recursion and with C-level passes over the bytes only, and
anything deeper than ``MAX_JSON_DEPTH`` is refused with the code ``too_deep``.

Worked examples: ``too_deep(b'{"a": [1, {"b": "[[[["}]}', limit=3)`` is False (the nesting is 3;
brackets inside strings do not count); ``too_deep(b"[" * 100_000)`` is True, and so is an
unclosed ``[[[[…`` (the parser would recurse into it before it found the text incomplete).
"""

from __future__ import annotations

import re

MAX_JSON_DEPTH = 32
"""Deepest nesting of objects and arrays accepted. A progress update nests 3 levels, a batch 4."""

# A string runs to its closing quote, or to the end of an unterminated text: every match succeeds
# from the quote it starts at, so the scan is linear even for ``"\"\"\"…`` (never quadratic).
_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_OPENERS = b"[{"
_BRACKETS_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))


def too_deep(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether objects and arrays nest deeper than ``limit`` (strings ignored; unclosed count)."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if sum(data.count(opener) for opener in _OPENERS) <= limit:
        return False  # cannot nest deeper than it has openers: the common case, one C pass
    parens = _STRING.sub(b"", data).translate(_BRACKETS_AS_PARENS, _NOT_BRACKETS)
    # Each round removes every innermost pair, so the rounds needed to empty it are its depth.
    for depth in range(limit + 1):
        shorter = parens.replace(b"()", b"")
        if len(shorter) == len(parens):
            # Only unmatched brackets remain; unclosed openers nest around the rest.
            return depth + shorter.count(b"(") > limit
        parens = shorter
    return True
