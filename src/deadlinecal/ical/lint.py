"""Check .ics bytes for the quirks that make calendar clients drop or misread a feed.

Pure: bytes in, findings out. It reads the file itself rather than through icalendar,
because icalendar forgives exactly the mistakes this is meant to catch (bare LF line
ends, long lines, stray commas) and so do most clients, each in its own way.

The file may be anything (a hostile feed, a binary, /dev/zero cut short), so every value
is parsed defensively: a value that is malformed or out of range is a finding on its line,
never an exception. Work and memory are bounded: at most MAX_BYTES and MAX_LINES are
checked, one line at a time, and at most MAX_FINDINGS findings are kept (the rest counted).
Findings quote the file only through `_quoted`, which escapes control characters and
cuts long values short.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from deadlinecal.dataset import zonenames

FOLD_OCTETS = 75
# The largest file lint checks; a feed of 10,000 programs is well under it.
MAX_BYTES = 64 * 1024 * 1024
# Real feeds have a line per 75 octets at most (900,000 lines in MAX_BYTES); far more lines
# means a file of blank lines or one-character lines, checked no further.
MAX_LINES = 2_000_000
MAX_FINDINGS = 1000
# Components nest 3 deep in a feed (VCALENDAR, VEVENT, VALARM); deeper is not followed.
MAX_DEPTH = 16
# Single-valued TEXT properties (RFC 5545 3.3.11, RFC 7986 and the X-WR- names clients read).
TEXT_PROPERTIES = frozenset({
    "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "X-WR-CALNAME",
    "X-WR-CALDESC",
})
# TEXT lists: a bare comma separates values, so only `\` and `;` are checked.
TEXT_LISTS = frozenset({"CATEGORIES", "RESOURCES"})
_VALID_ESCAPE = re.compile(r"\\[\\;,nN]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NAME = re.compile(r"[A-Za-z0-9-]+")
_PARAM = re.compile(r'([A-Za-z0-9-]+)=("[^"]*"|[^";:]*)')
_MORE = re.compile(r'("[^"]*"|[^";:,]*)')
_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DATE_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})(Z?)")
# The properties an event is checked for; the rest of its lines are not kept.
_EVENT_PROPERTIES = frozenset({"UID", "DTSTAMP", "DTSTART", "DTEND", "RECURRENCE-ID"})
_EPOCH = dt.datetime(1, 1, 1)


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """One problem: the (first physical) line it is on, and what is wrong."""

    line: int
    message: str


@dataclass(frozen=True, slots=True)
class _Line:
    number: int
    name: str
    params: dict[str, str]
    value: str


class _Findings(list[Finding]):
    """A list that keeps the MAX_FINDINGS first findings by line and counts the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.more = 0
        # Once MAX_FINDINGS are kept, the last of them: anything after it is only counted.
        self._last: Finding | None = None

    def append(self, finding: Finding) -> None:
        if self._last is not None and finding > self._last:
            self.more += 1
            return
        super().append(finding)
        if len(self) >= 2 * MAX_FINDINGS:
            self._compact()

    def extend(self, findings: Iterable[Finding]) -> None:
        for finding in findings:
            self.append(finding)

    def _compact(self) -> None:
        kept = sorted(set(self))
        self.more += max(0, len(kept) - MAX_FINDINGS)
        self[:] = kept[:MAX_FINDINGS]
        if len(self) == MAX_FINDINGS:
            self._last = self[-1]

    def result(self) -> list[Finding]:
        self._compact()
        shown = list(self)
        if self.more:
            shown.append(Finding(shown[-1].line, f"{self.more:,} more problems on later lines "
                                                 "are not shown"))
        return shown


def lint(data: bytes) -> list[Finding]:
    """Every problem found in one iCalendar file, sorted by line (at most MAX_FINDINGS)."""
    if len(data) > MAX_BYTES:
        return [Finding(1, f"the file is larger than {MAX_BYTES:,} bytes, more than any "
                           "calendar feed; it was not checked")]
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"BEGIN:VCALENDAR"):
        # One clear finding rather than hundreds about a file that is something else.
        return [Finding(1, "not an iCalendar file: it does not start with BEGIN:VCALENDAR")]
    if data.count(b"\n") > MAX_LINES:
        return [Finding(1, f"the file has more than {MAX_LINES:,} lines, more than any "
                           "calendar feed; it was not checked")]
    findings = _Findings()
    physical = _physical_lines(data, findings)
    _check_structure(_content_lines(physical, findings), findings)
    return findings.result()


def _quoted(value: str, limit: int = 60) -> str:
    """Part of the file, quoted for a message: control characters escaped, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _component(name: str) -> str:
    """A component name as BEGIN/END give it: plain when it is one, else quoted."""
    return name if _NAME.fullmatch(name) and len(name) <= 60 else _quoted(name)


def _physical_lines(data: bytes, findings: list[Finding]) -> Iterator[tuple[int, bytes]]:
    """Each line without its line end, reporting line ends and lengths on the way."""
    first_bare, bare = 0, 0
    index, start, size = 0, 0, len(data)
    while start < size:
        index += 1
        end = data.find(b"\n", start)
        ended = end >= 0
        piece = data[start:end] if ended else data[start:]
        start = end + 1 if ended else size
        if piece.endswith(b"\r"):
            piece = piece[:-1]
        elif ended:
            first_bare = first_bare or index
            bare += 1
        if not ended:
            findings.append(Finding(index, "the file does not end with CRLF"))
        if b"\r" in piece:
            findings.append(Finding(index, "bare CR inside a line"))
        if len(piece) > FOLD_OCTETS:
            findings.append(Finding(index, f"line is {len(piece)} octets long; fold it at "
                                           f"{FOLD_OCTETS}"))
        yield index, piece
    if bare:
        # One finding, not one per line: a file with LF endings has them everywhere.
        more = f" ({bare} lines in all)" if bare > 1 else ""
        findings.append(Finding(first_bare, f"line ends with LF alone; iCalendar lines end "
                                            f"with CRLF{more}"))


def _content_lines(physical: Iterable[tuple[int, bytes]],
                   findings: list[Finding]) -> Iterator[_Line]:
    """Unfold, check each fold keeps whole UTF-8 characters, and split into parts."""
    number = 0
    parts: list[bytes] = []
    for index, piece in physical:
        if not piece:
            continue
        if piece[:1] in (b" ", b"\t") and parts:
            parts.append(piece[1:])
            continue
        if parts:
            line = _content_line(number, parts, findings)
            if line is not None:
                yield line
        number, parts = index, [piece]
    if parts:
        line = _content_line(number, parts, findings)
        if line is not None:
            yield line


def _content_line(number: int, parts: list[bytes], findings: list[Finding]) -> _Line | None:
    joined = b"".join(parts)
    try:
        text = joined.decode("utf-8")
    except UnicodeDecodeError:
        findings.append(Finding(number, "not valid UTF-8"))
        text = joined.decode("utf-8", errors="replace")
    else:
        for offset, part in enumerate(parts):
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                findings.append(Finding(number + offset, "a fold splits a multi-byte "
                                                         "UTF-8 character"))
                break
    control = _CONTROL.search(text)
    if control:
        findings.append(Finding(number, f"the line holds the control character "
                                        f"U+{ord(control.group()):04X}, which iCalendar "
                                        "does not allow"))
    parsed = _split(text)
    if parsed is None:
        findings.append(Finding(number, "not a content line (NAME:value)"))
        return None
    name, params, value = parsed
    return _Line(number, name, params, value)


def _split(text: str) -> tuple[str, dict[str, str], str] | None:
    """NAME;PARAM=value;...:value, honouring quoted parameter values."""
    match = _NAME.match(text)
    if not match:
        return None
    name = match.group().upper()
    position = match.end()
    params: dict[str, str] = {}
    while position < len(text) and text[position] == ";":
        param = _PARAM.match(text, position + 1)
        if not param:
            return None
        params[param[1].upper()] = param[2].strip('"')
        position = param.end()
        while position < len(text) and text[position] == ",":
            more = _MORE.match(text, position + 1)
            if more is None:
                return None
            position = more.end()
    if position >= len(text) or text[position] != ":":
        return None
    return name, params, text[position + 1:]


@dataclass(slots=True)
class _State:
    """What the walk over the content lines remembers: a few names, never the lines."""

    stack: list[str]
    deeper: int = 0
    components: int = 0
    last: int = 1
    event: dict[str, _Line] | None = None
    event_line: int = 0


def _check_structure(lines: Iterable[_Line], findings: list[Finding]) -> None:
    state = _State(stack=[])
    zones_used: dict[str, int] = {}
    zones_defined: set[str] = set()
    calendar_props: set[str] = set()
    uids: dict[str, int] = {}
    for line in lines:
        state.last = line.number
        if line.name == "BEGIN":
            _begin(state, line, findings)
            continue
        if line.name == "END":
            _end(state, line, uids, findings)
            continue
        stack = state.stack
        if len(stack) == 1 and not state.deeper:
            calendar_props.add(line.name)
        if line.name in TEXT_PROPERTIES or line.name in TEXT_LISTS:
            _check_text(line, findings)
        if "TZID" in line.params:
            zones_used.setdefault(line.params["TZID"], line.number)
        if stack and stack[-1] == "VTIMEZONE" and line.name == "TZID":
            zones_defined.add(line.value)
            _check_zone_name(line.value, line.number, findings)
        if (state.event is not None and stack[-1] == "VEVENT" and not state.deeper
                and line.name in _EVENT_PROPERTIES):
            state.event.setdefault(line.name, line)
    if state.event is not None:
        _check_event(state.event_line, state.event, uids, findings)
    if state.stack:
        findings.append(Finding(state.last, f"BEGIN:{_component(state.stack[-1])} is never "
                                            "closed"))
    findings.extend(Finding(1, f"the calendar has no {name}, which RFC 5545 requires")
                    for name in ("PRODID", "VERSION") if name not in calendar_props)
    if state.components == 0:
        findings.append(Finding(1, "the calendar holds no component; RFC 5545 requires one "
                                   "(some clients reject an empty calendar)"))
    for zone, number in zones_used.items():
        _check_zone_name(zone, number, findings)
        if zone not in zones_defined:
            findings.append(Finding(number, f"TZID {_quoted(zone)} has no VTIMEZONE in the "
                                            "file"))


def _begin(state: _State, line: _Line, findings: list[Finding]) -> None:
    if len(state.stack) >= MAX_DEPTH:
        if not state.deeper:
            findings.append(Finding(line.number, f"components nest more than {MAX_DEPTH} "
                                                 "deep; the deeper ones are not checked"))
        state.deeper += 1
        return
    state.stack.append(line.value.upper())
    if len(state.stack) == 2:
        state.components += 1
    if state.stack[-1] == "VEVENT":
        state.event, state.event_line = {}, line.number


def _end(state: _State, line: _Line, uids: dict[str, int], findings: list[Finding]) -> None:
    if state.deeper:
        state.deeper -= 1
        return
    stack = state.stack
    if not stack or stack[-1] != line.value.upper():
        opened = f"BEGIN:{_component(stack[-1])}" if stack else "BEGIN:(nothing)"
        findings.append(Finding(line.number, f"END:{_component(line.value)} does not close "
                                             f"{opened}"))
        return
    if stack.pop() == "VEVENT" and state.event is not None:
        _check_event(state.event_line, state.event, uids, findings)
        state.event = None


def _check_text(line: _Line, findings: list[Finding]) -> None:
    # Valid escapes removed, whatever backslash, ';' or ',' is left is a mistake.
    rest = _VALID_ESCAPE.sub("", line.value)
    if "\\" in rest:
        findings.append(Finding(line.number, f"{line.name}: backslash not followed by \\\\, "
                                             "\\;, \\, or \\n (write \\\\ for a backslash)"))
    if ";" in rest:
        findings.append(Finding(line.number, f"{line.name}: unescaped ';' (write \\;)"))
    if "," in rest and line.name in TEXT_PROPERTIES:
        findings.append(Finding(line.number, f"{line.name}: unescaped ',' (write \\,)"))


def _check_zone_name(zone: str, number: int, findings: list[Finding]) -> None:
    if zone.startswith("Etc/"):
        findings.append(Finding(number, f"time zone {_quoted(zone)}: Apple and Google "
                                "misread Etc/ zones; use a city zone or UTC times"))
        return
    # Clients look a TZID up in their own zone database first (Google and Apple only
    # there); an alias, a posix/ or right/ copy or an unknown name leaves each to guess.
    if zonenames.refusal(zone) is not None:
        better = zonenames.hint(zone)
        findings.append(Finding(number, f"time zone {_quoted(zone)} is not a canonical IANA "
                                "zone name" + (f"; write {better!r}" if better else "")))


def _check_event(begin: int, props: dict[str, _Line], uids: dict[str, int],
                 findings: list[Finding]) -> None:
    uid = props.get("UID")
    if "DTSTAMP" not in props:
        findings.append(Finding(begin, "VEVENT has no DTSTAMP, which RFC 5545 requires"))
    if uid is None:
        findings.append(Finding(begin, "VEVENT has no UID"))
    elif uid.value in uids and "RECURRENCE-ID" not in props:
        findings.append(Finding(uid.number, f"UID {_quoted(uid.value)} is already used on "
                                            f"line {uids[uid.value]}"))
    else:
        uids[uid.value] = uid.number
    start, end = props.get("DTSTART"), props.get("DTEND")
    if start is None:
        findings.append(Finding(begin, "VEVENT has no DTSTART"))
        return
    if end is None:
        findings.append(Finding(begin, "VEVENT has no DTEND; clients disagree on how "
                                       "long such an event is"))
        return
    first, last = _moment(start), _moment(end)
    if first is None or last is None:
        bad = start if first is None else end
        findings.append(Finding(bad.number, f"{bad.name} {_quoted(bad.value)} is not a date "
                                            "or date-time"))
    elif first[0] != last[0]:
        findings.append(Finding(end.number, "DTSTART and DTEND mix a date and a date-time"))
    elif not last[1] > first[1]:
        findings.append(Finding(end.number, "DTEND is not after DTSTART"))


def _moment(line: _Line) -> tuple[bool, int] | None:
    """Whether a value is a DATE, and a number that orders it: days for a DATE, seconds
    since year 1 in UTC for a DATE-TIME (zoned or floating alike). None when unreadable.

    Whole numbers, not datetimes, so that no year (1 or 9999) or zone offset can overflow.
    """
    value = line.value.strip()
    if line.params.get("VALUE", "").upper() == "DATE" or len(value) == 8:
        match = _DATE.fullmatch(value)
        if not match:
            return None
        try:
            return True, dt.date(int(match[1]), int(match[2]), int(match[3])).toordinal()
        except ValueError:
            return None
    match = _DATE_TIME.fullmatch(value)
    if not match:
        return None
    try:
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        local = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None
    seconds = int((local - _EPOCH).total_seconds())
    zone = line.params.get("TZID")
    if match[7] or not zone:
        return False, seconds
    return False, seconds - _offset(local, zone)


def _offset(local: dt.datetime, zone: str) -> int:
    """Seconds east of UTC of `zone` at `local`; 0 for a zone this system does not know."""
    known = _zone(zone)
    if known is None:
        return 0
    try:
        offset = local.replace(tzinfo=known).utcoffset()
    except (ValueError, OverflowError):
        return 0
    return int(offset.total_seconds()) if offset is not None else 0


@functools.lru_cache(maxsize=256)
def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zonenames.zone(name)
    # A TZID is any text: a folder ("America"), too long a name, "..", a NUL byte.
    except zoneinfo.ZoneInfoNotFoundError:
        return None
