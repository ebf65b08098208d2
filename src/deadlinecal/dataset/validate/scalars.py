"""One YAML scalar -> a typed value of its kind (see spec.py), or a problem and None."""

from __future__ import annotations

import re
from typing import Any

import yaml

from deadlinecal.dataset import dates
from deadlinecal.dataset.spec import MAX_ID_CHARS, WEB_ADDRESS, Field
from deadlinecal.dataset.validate.collector import KEY_EXCERPT_CHARS, SLUG, Collector, describe
from deadlinecal.errors import EXCERPT_CHARS, quoted
from deadlinecal.model import Precision

# The longest date, duration or time zone we read is about 50 characters; a longer value is
# refused before it is parsed, so its message quotes only an excerpt of it.
_MAX_DATE_CHARS = 100
# Characters that RFC 3986 never allows in a link and that could close an HTML attribute or
# tag on the subscribe page; write them percent-encoded (%22 %3C %3E %5C %60).
_URL_FORBIDDEN = re.compile(r'["<>\\`]')
# Control characters (C0 but tab and newline, DEL, C1) and Unicode line/paragraph separators:
# refused in every text value. Most reach YAML only through escapes such as "\r" or "\x07",
# so they are never typed by accident, and they are invisible in a calendar.
# Bidi overrides and isolates (U+202A-202E, U+2066-2069) reorder the text shown after them:
# "Apply by 1 Dec" can read as something else in a calendar client.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_CONTROL_NAMES = {"\r": "a carriage return (\\r)", "\x00": "a NUL byte (\\0)",
                  "\x0b": "a vertical tab (\\v)", "\x0c": "a form feed (\\f)",
                  "\x1b": "an escape character (\\e)", "\x85": "a next-line character (\\N)",
                  "\u2028": "a line separator (\\L)", "\u2029": "a paragraph separator (\\P)"}
# Text that becomes an event title (RFC 5545: "a short, one-line summary"), a calendar's
# name or a category is one line; descriptions and notes may hold line breaks.
_ONE_LINE = {"title", "employer", "program", "name", "short"}
# A short name leaves room in a month view for the action before it ("~Opens: ").
VERIFIED = "a day as YYYY-MM-DD, or a month as YYYY-MM when the source gives no day"
MAX_SHORT_CHARS = 20
# Every text is copied into each event of its program in every feed that holds it, so one
# huge value multiplies (5 MB of notes made 47 MB of feeds). The default data's longest is 403.
MAX_TEXT_CHARS = 10_000
_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_NULL = "tag:yaml.org,2002:null"
_DATE_KINDS = frozenset({"day", "fuzzy", "moment", "verified"})
_WANTED = {"day": "a day as YYYY-MM-DD", "verified": VERIFIED}


def scalar(c: Collector, node: yaml.Node, path: str, kind: str, field: Field,
           zone: str | None) -> Any:
    """The value of `node` as `kind`; None (with a problem) when it is not one."""
    if not isinstance(node, yaml.ScalarNode):
        c.problem(node, path, f"{describe(node)} where a single value is needed",
                  expected(kind, field))
        return None
    if node.tag == _NULL:
        c.problem(node, path, "no value given", expected(kind, field))
        return None
    if kind in _DATE_KINDS:
        return date(c, node, path, kind, zone)
    if kind == "key" and len(node.value) <= MAX_ID_CHARS:
        # A term used against a vocabulary: check_terms refuses what is not declared,
        # with the declared spelling ("Quant" -> 'quant') rather than "not an identifier".
        return node.value
    if kind == "slug" or kind == "key":
        return node.value if slug(c, node, path, node.value, "identifier",
                                  "'google-step'") else None
    convert = _CONVERTERS.get(kind)
    if convert is None:  # pragma: no cover - spec bug
        raise AssertionError(f"unhandled kind {kind}")
    return convert(c, node, path, field)


def _bool(c: Collector, node: yaml.ScalarNode, path: str, field: Field) -> bool | None:
    text: str = node.value
    if node.tag == "tag:yaml.org,2002:bool":
        return text.lower() == "true"
    extra = " (yes/no/on/off are not booleans here)" if text.lower() in _BOOL_WORDS else ""
    if text.lower() in ("true", "false") and node.style in ("'", '"'):
        extra = " (it is in quotes, which makes it text: remove the quotes)"
    c.problem(node, path, f"{quoted(text)} is not true or false{extra}", "true or false")
    return None


def _int(c: Collector, node: yaml.ScalarNode, path: str, field: Field) -> int | None:
    text: str = node.value
    if node.tag != "tag:yaml.org,2002:int":
        c.problem(node, path, f"{quoted(text)} is not a whole number", "a whole number")
        return None
    # Python refuses to read integers of more than 4,300 digits; none is sane.
    number = int(text) if len(text) <= 18 else None
    low, high = field.minimum, field.maximum
    bounds = (f"a whole number from {low} to {high}" if low is not None and
              high is not None else f"a whole number of at least {low}"
              if low is not None else "a whole number")
    if number is None or (high is not None and number > high):
        digits = quoted(text)[1:-1] + (f" ({len(text):,} digits)"
                                       if len(text) > EXCERPT_CHARS else "")
        c.problem(node, path, f"{digits} is too large", bounds)
        return None
    if low is not None and number < low:
        c.problem(node, path, f"{number} is too small", bounds)
        return None
    return number


def _text(c: Collector, node: yaml.ScalarNode, path: str, field: Field) -> str | None:
    text: str = node.value
    if not plain_text(c, node, path, text):
        return None
    stripped = text.strip()
    if field.required and not stripped:
        c.problem(node, path, "the text is empty", "some text")
        return None
    if field.name in _ONE_LINE and "\n" in stripped:
        c.problem(node, path, f"the text has a line break; {field.name} is one line",
                  "one line of text (fold a long one with >-)")
        return None
    if field.name == "short" and len(stripped) > MAX_SHORT_CHARS:
        c.problem(node, path, f"the short name is {len(stripped)} characters "
                  "long", f"at most {MAX_SHORT_CHARS} characters, like 'Google STEP'")
        return None
    return stripped


def _url(c: Collector, node: yaml.ScalarNode, path: str, field: Field) -> str | None:
    text: str = node.value
    if not plain_text(c, node, path, text):
        return None
    if forbidden := _URL_FORBIDDEN.search(text):
        c.problem(node, path, f"the link contains {forbidden[0]!r}, which web "
                  "addresses may not hold", "the character percent-encoded, e.g. "
                  "%22 for a quote, %3C and %3E for < and >")
        return None
    if not WEB_ADDRESS.fullmatch(text.strip()):
        c.problem(node, path, f"{quoted(text)} is not a web link",
                  "an address starting with http:// or https://")
        return None
    return text.strip()


def _duration(c: Collector, node: yaml.ScalarNode, path: str, field: Field) -> Any:
    if not short(c, node, path, dates.DURATION_FORMS):
        return None
    try:
        return dates.parse_duration(node.value)
    except dates.DateSyntaxError as exc:
        c.problem(node, path, str(exc), dates.DURATION_FORMS)
        return None


_CONVERTERS = {"bool": _bool, "int": _int, "text": _text, "url": _url, "duration": _duration}


def slug(c: Collector, node: yaml.Node, path: str, text: str, noun: str, example: str) -> bool:
    """False (with a problem) unless `text` is a short slug (an id or a key)."""
    if len(text) > MAX_ID_CHARS:
        c.problem(node, path, f"{quoted(text, KEY_EXCERPT_CHARS)} is {len(text):,} "
                  "characters long", f"at most {MAX_ID_CHARS} characters, like {example}")
        return False
    if not SLUG.fullmatch(text):
        c.problem(node, path, f"{quoted(text, KEY_EXCERPT_CHARS)} is not a valid {noun}",
                  f"lower-case letters, digits and hyphens, like {example}")
        return False
    return True


def plain_text(c: Collector, node: yaml.Node, path: str, text: str) -> bool:
    """False (with a problem) when `text` is too long or holds a control character."""
    if len(text) > MAX_TEXT_CHARS:
        c.problem(node, path, f"the text is {len(text):,} characters long",
                  f"at most {MAX_TEXT_CHARS:,} characters; link to a page for more")
        return False
    found = _CONTROL.search(text)
    if found is None:
        return True
    char = found[0]
    if _BIDI.match(char):
        c.problem(node, path, f"the text contains the bidirectional control U+{ord(char):04X} "
                  f"at character {found.start() + 1}, which reorders the text shown after it",
                  "text without bidi overrides or isolates (U+202A-202E, U+2066-2069)")
        return False
    name = _CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")
    c.problem(node, path, f"the text contains {name} at character {found.start() + 1}",
              "printable text; for a line break use a real new line in a | block")
    return False


def short(c: Collector, node: yaml.Node, path: str, expected: str) -> bool:
    """False (with a problem) when a date, duration or zone is far longer than any is."""
    if len(node.value) <= _MAX_DATE_CHARS:
        return True
    c.problem(node, path, f"{quoted(node.value)} is {len(node.value):,} characters "
              "long", expected)
    return False


def date(c: Collector, node: yaml.Node, path: str, kind: str, zone: str | None) -> Any:
    """A day (`day`), a day or a month (`verified`: a FuzzyDate for a month), or a fuzzy
    date that may hold a time (`fuzzy`, `moment`)."""
    text: str = node.value
    wanted = _WANTED.get(kind, dates.DATE_FORMS)
    if not short(c, node, path, wanted):
        return None
    try:
        parsed = dates.parse_fuzzy(text, allow_time=kind == "moment", default_zone=zone)
    except dates.DateSyntaxError as exc:
        c.problem(node, path, str(exc), wanted)
        return None
    if kind == "verified" and parsed.precision is Precision.MONTH and not parsed.approximate:
        return parsed
    if kind in ("day", "verified"):
        if not parsed.exact or parsed.moment is not None:
            c.problem(node, path, f"{quoted(text)} is not one exact day" + (
                " or month" if kind == "verified" else ""), wanted)
            return None
        return parsed.earliest
    return parsed


def expected(kind: str, field: Field) -> str:
    """What a value of `kind` looks like, for a message."""
    return {
        "bool": "true or false",
        "int": "a whole number",
        "text": "text",
        "texts": "text, or a list of texts",
        "slug": "lower-case letters, digits and hyphens",
        "key": f"one of the declared {field.vocab}",
        "url": "an http:// or https:// address",
        "day": "a day as YYYY-MM-DD",
        "verified": VERIFIED,
        "fuzzy": dates.DATE_FORMS,
        "moment": dates.DATE_FORMS,
        "duration": dates.DURATION_FORMS,
        "keys": f"a list of the declared {field.vocab}",
        "eligibility": ("{open_to: [...], closed_to: [...]} or a list of the declared "
                        "eligibility"),
        "list": f"a list of {field.shape.name}s" if field.shape else "a list",
        "object": ("a mapping with keys " + ", ".join(f.name for f in field.shape.fields)
                   if field.shape else "a mapping"),
        "vocabulary": "a mapping of key -> {title: ...}",
        "reminders": dates.REMINDER_FORMS,
    }.get(kind, field.doc)
