"""The regular-expression subset page-view filters accept: one meaning on SQLite and PostgreSQL.

SQLite runs ``REGEXP`` with Python's ``re`` (Django registers it); PostgreSQL runs its own
ARE engine (``~``). They agree on a common core, and that core is all we accept, checked
when the criteria are saved (a clear problem, never a surprise at evaluation):

- literal characters; ``\\`` before a punctuation character (``\\.``, ``\\/``, ``\\?``...) -
  never before a letter or digit (``\\d``, ``\\b``, ``\\1`` differ between the two engines);
- ``.``, ``^``, ``$``; groups ``( ... )`` with ``|`` alternatives (no ``(?`` extensions);
- bracket classes ``[abc]``, ``[^abc]``, ``[a-z0-9]`` - ranges between two digits, two
  lowercase or two uppercase ASCII letters only (collation cannot reorder them), no ``\\``, ``[`` or POSIX classes inside;
- quantifiers ``*``, ``+``, ``?``, ``{m}``, ``{m,}``, ``{m,n}`` (n at most 100), one per atom (no
  lazy or possessive forms), never on a group that itself holds a quantifier or a ``|``:
  that keeps Python's backtracking engine linear (no ``(a+)+`` or ``(a|aa)*`` blow-ups);
- at most ``MAX_LENGTH`` characters.

Both engines are case-sensitive and search anywhere in the URL (anchor with ``^`` / ``$``).
Stored URLs contain no control characters (the tracking endpoint refuses them), so ``.`` and
``$`` cannot differ on newlines.
"""

from __future__ import annotations

import re
import string

MAX_LENGTH = 200
MAX_REPEAT = 100
_QUANT = re.compile(r"\{(\d{1,3})(,(\d{1,3})?)?\}")


class UnsafePattern(ValueError):
    pass


def check_pattern(pattern: str) -> None:
    """Raise ``UnsafePattern`` (a sentence) unless ``pattern`` is in the accepted subset."""
    if not pattern:
        raise UnsafePattern("the pattern is empty")
    if len(pattern) > MAX_LENGTH:
        raise UnsafePattern(f"the pattern is longer than {MAX_LENGTH} characters")
    if any(ord(c) < 32 for c in pattern):
        raise UnsafePattern("the pattern contains a control character")
    # per open group: (holds a quantifier or |)
    groups: list[bool] = []
    i, n = 0, len(pattern)
    atom: str | None = None  # "char" | "group-plain" | "group-risky" | None (nothing to repeat)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise UnsafePattern("the pattern ends with a lone \\")
            nxt = pattern[i + 1]
            if nxt.isalnum():
                raise UnsafePattern(
                    f"\\{nxt} is not accepted (escapes like \\d or \\b differ between databases); "
                    "write a class such as [0-9] instead"
                )
            atom, i = "char", i + 2
            continue
        if c == "[":
            end = _class_end(pattern, i)
            atom, i = "char", end + 1
            continue
        if c == "(":
            if pattern.startswith("(?", i):
                raise UnsafePattern("(? extensions are not accepted")
            groups.append(False)
            atom, i = None, i + 1
            continue
        if c == ")":
            if not groups:
                raise UnsafePattern(f"unbalanced ) at position {i + 1}")
            risky = groups.pop()
            if groups and risky:
                groups[-1] = True
            atom, i = ("group-risky" if risky else "group-plain"), i + 1
            continue
        if c == "|":
            if groups:
                groups[-1] = True
            atom, i = None, i + 1
            continue
        if c in "*+?{":
            length = 1
            if c == "{":
                found = _QUANT.match(pattern, i)
                if found is None:
                    raise UnsafePattern(
                        f"{{ at position {i + 1} must be a count like {{2}} or {{1,3}} (or \\{{)"
                    )
                low = int(found.group(1))
                high = found.group(3)
                if low > MAX_REPEAT or (high is not None and int(high) > MAX_REPEAT):
                    raise UnsafePattern(f"a count is at most {MAX_REPEAT}")
                if high is not None and int(high) < low:
                    raise UnsafePattern(f"{found.group(0)} is not an ordered range")
                length = len(found.group(0))
            if atom is None:
                raise UnsafePattern(f"{c} at position {i + 1} has nothing to repeat")
            if atom == "group-risky":
                raise UnsafePattern(
                    "a repeated group must not itself hold a repetition or a | "
                    "(it could take exponential time)"
                )
            if groups:
                groups[-1] = True
            i += length
            if i < n and pattern[i] in "*+?{":
                raise UnsafePattern(
                    f"{pattern[i]} at position {i + 1} repeats a repetition (lazy and possessive "
                    "forms are not accepted)"
                )
            atom = None
            continue
        if c in "^$":
            atom, i = None, i + 1
            continue
        atom, i = "char", i + 1
    if groups:
        raise UnsafePattern("unbalanced ( in the pattern")
    try:
        re.compile(pattern)
    except re.error as exc:  # anything the walk above let through
        raise UnsafePattern(f"not a valid pattern ({exc})") from None


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` closing the class opened at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    first = i
    while i < len(pattern) and pattern[i] != "]":
        c = pattern[i]
        if c in "\\[":
            raise UnsafePattern(f"{c} is not accepted inside [...]")
        if c == "-" and i > first and i + 1 < len(pattern) and pattern[i + 1] != "]":
            lo, hi = pattern[i - 1], pattern[i + 1]
            same_kind = any(
                lo in chars and hi in chars
                for chars in (string.digits, string.ascii_lowercase, string.ascii_uppercase)
            )
            if not same_kind or lo > hi:
                raise UnsafePattern(
                    f"the range {lo}-{hi} must run between two digits, two lowercase or two "
                    "uppercase ASCII letters, in order"
                )
        i += 1
    if i >= len(pattern):
        raise UnsafePattern("unclosed [ in the pattern")
    if i == first:
        raise UnsafePattern("an empty [] class")
    return i
