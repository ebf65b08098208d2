"""Check .ics bytes for the quirks that make calendar clients drop or misread a feed.

Pure: bytes in, findings out. It reads the file itself rather than through icalendar,
because icalendar forgives exactly the mistakes this is meant to catch (bare LF line
ends, long lines, stray commas) and so do most clients, each in its own way.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from . import zones

FOLD_OCTETS = 75
# Single-valued TEXT properties (RFC 5545 3.3.11, RFC 7986 and the X-WR- names clients read).
TEXT_PROPERTIES = frozenset({
    "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT", "CONTACT", "NAME", "X-WR-CALNAME",
    "X-WR-CALDESC",
})
# TEXT lists: a bare comma separates values, so only `\` and `;` are checked.
TEXT_LISTS = frozenset({"CATEGORIES", "RESOURCES"})
_TEXT_ESCAPES = frozenset("\\;,nN")
_DATE = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_DATE_TIME = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})(Z?)")


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


def lint(data: bytes) -> list[Finding]:
    """Every problem found in one iCalendar file, sorted by line."""
    findings: list[Finding] = []
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"BEGIN:VCALENDAR"):
        # One clear finding rather than hundreds about a file that is something else.
        return [Finding(1, "not an iCalendar file: it does not start with BEGIN:VCALENDAR")]
    physical = _physical_lines(data, findings)
    lines = _content_lines(physical, findings)
    _check_structure(lines, findings)
    return sorted(set(findings))


def _physical_lines(data: bytes, findings: list[Finding]) -> list[tuple[int, bytes]]:
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()
    elif data:
        findings.append(Finding(len(pieces), "the file does not end with CRLF"))
    result = []
    bare: list[int] = []
    for index, piece in enumerate(pieces, start=1):
        ended = index < len(pieces) or data.endswith(b"\n")
        if piece.endswith(b"\r"):
            piece = piece[:-1]
        elif ended:
            bare.append(index)
        if b"\r" in piece:
            findings.append(Finding(index, "bare CR inside a line"))
        if len(piece) > FOLD_OCTETS:
            findings.append(Finding(index, f"line is {len(piece)} octets long; fold it at "
                                           f"{FOLD_OCTETS}"))
        result.append((index, piece))
    if bare:
        # One finding, not one per line: a file with LF endings has them everywhere.
        more = f" ({len(bare)} lines in all)" if len(bare) > 1 else ""
        findings.append(Finding(bare[0], f"line ends with LF alone; iCalendar lines end "
                                         f"with CRLF{more}"))
    return result


def _content_lines(physical: list[tuple[int, bytes]], findings: list[Finding]) -> list[_Line]:
    """Unfold, check each fold keeps whole UTF-8 characters, and split into parts."""
    logical: list[tuple[int, list[bytes]]] = []
    for number, piece in physical:
        if piece[:1] in (b" ", b"\t") and logical:
            logical[-1][1].append(piece[1:])
        elif piece:
            logical.append((number, [piece]))
    lines = []
    for number, parts in logical:
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
        parsed = _split(text)
        if parsed is None:
            findings.append(Finding(number, "not a content line (NAME:value)"))
            continue
        name, params, value = parsed
        lines.append(_Line(number, name, params, value))
    return lines


def _split(text: str) -> tuple[str, dict[str, str], str] | None:
    """NAME;PARAM=value;...:value, honouring quoted parameter values."""
    match = re.match(r"[A-Za-z0-9-]+", text)
    if not match:
        return None
    name = match.group().upper()
    position = match.end()
    params: dict[str, str] = {}
    while position < len(text) and text[position] == ";":
        param = re.compile(r'([A-Za-z0-9-]+)=("[^"]*"|[^";:]*)').match(text, position + 1)
        if not param:
            return None
        params[param[1].upper()] = param[2].strip('"')
        position = param.end()
        while position < len(text) and text[position] == ",":
            more = re.compile(r'("[^"]*"|[^";:,]*)').match(text, position + 1)
            assert more is not None
            position = more.end()
    if position >= len(text) or text[position] != ":":
        return None
    return name, params, text[position + 1:]


def _check_structure(lines: list[_Line], findings: list[Finding]) -> None:
    stack: list[str] = []
    events: list[list[_Line]] = []
    zones_used: dict[str, int] = {}
    zones_defined: set[str] = set()
    calendar_props: set[str] = set()
    components = 0
    for line in lines:
        if line.name == "BEGIN":
            stack.append(line.value.upper())
            if len(stack) == 2:
                components += 1
            if stack[-1] == "VEVENT":
                events.append([line])
            continue
        if line.name == "END":
            if not stack or stack[-1] != line.value.upper():
                findings.append(Finding(line.number, f"END:{line.value} does not close "
                                        f"BEGIN:{stack[-1] if stack else '(nothing)'}"))
            else:
                stack.pop()
            continue
        if len(stack) == 1:
            calendar_props.add(line.name)
        if line.name in TEXT_PROPERTIES or line.name in TEXT_LISTS:
            _check_text(line, findings)
        if "TZID" in line.params:
            zones_used.setdefault(line.params["TZID"], line.number)
        if stack and stack[-1] == "VTIMEZONE" and line.name == "TZID":
            zones_defined.add(line.value)
            _check_zone_name(line.value, line.number, findings)
        if stack and stack[-1] == "VEVENT" and events:
            events[-1].append(line)
    if stack:
        findings.append(Finding(lines[-1].number if lines else 1,
                                f"BEGIN:{stack[-1]} is never closed"))
    findings.extend(Finding(1, f"the calendar has no {name}, which RFC 5545 requires")
                    for name in ("PRODID", "VERSION") if name not in calendar_props)
    if components == 0:
        findings.append(Finding(1, "the calendar holds no component; RFC 5545 requires one "
                                   "(some clients reject an empty calendar)"))
    for zone, number in zones_used.items():
        _check_zone_name(zone, number, findings)
        if zone not in zones_defined:
            findings.append(Finding(number, f"TZID {zone!r} has no VTIMEZONE in the file"))
    _check_events(events, findings)


def _check_text(line: _Line, findings: list[Finding]) -> None:
    value = line.value
    index = 0
    while index < len(value):
        char = value[index]
        if char == "\\":
            following = value[index + 1: index + 2]
            if following not in _TEXT_ESCAPES or not following:
                findings.append(Finding(line.number, f"{line.name}: backslash not followed "
                                        f"by \\\\, \\;, \\, or \\n (write \\\\ for a "
                                        f"backslash)"))
            index += 2
            continue
        if char == ";":
            findings.append(Finding(line.number, f"{line.name}: unescaped ';' (write \\;)"))
        elif char == "," and line.name in TEXT_PROPERTIES:
            findings.append(Finding(line.number, f"{line.name}: unescaped ',' (write \\,)"))
        index += 1


def _check_zone_name(zone: str, number: int, findings: list[Finding]) -> None:
    if zone.startswith("Etc/"):
        findings.append(Finding(number, f"time zone {zone!r}: Apple and Google misread "
                                "Etc/ zones; use a city zone or UTC times"))
        return
    # Clients look a TZID up in their own zone database first (Google and Apple only
    # there); an alias, a posix/ or right/ copy or an unknown name leaves each to guess.
    if zones.refusal(zone) is not None:
        better = zones.hint(zone)
        findings.append(Finding(number, f"time zone {zone!r} is not a canonical IANA zone "
                                        "name" + (f"; write {better!r}" if better else "")))


def _check_events(events: list[list[_Line]], findings: list[Finding]) -> None:
    first_seen: dict[str, int] = {}
    for event in events:
        begin = event[0].number
        props = {line.name: line for line in reversed(event[1:])}
        uid = props.get("UID")
        if "DTSTAMP" not in props:
            findings.append(Finding(begin, "VEVENT has no DTSTAMP, which RFC 5545 requires"))
        if uid is None:
            findings.append(Finding(begin, "VEVENT has no UID"))
        elif uid.value in first_seen and "RECURRENCE-ID" not in props:
            findings.append(Finding(uid.number, f"UID {uid.value!r} is already used on line "
                                    f"{first_seen[uid.value]}"))
        else:
            first_seen[uid.value] = uid.number
        start, end = props.get("DTSTART"), props.get("DTEND")
        if start is None:
            findings.append(Finding(begin, "VEVENT has no DTSTART"))
            continue
        if end is None:
            findings.append(Finding(begin, "VEVENT has no DTEND; clients disagree on how "
                                           "long such an event is"))
            continue
        first, last = _moment(start), _moment(end)
        if first is None or last is None:
            bad = start if first is None else end
            findings.append(Finding(bad.number, f"{bad.name} {bad.value!r} is not a date "
                                                "or date-time"))
        elif type(first) is not type(last):
            findings.append(Finding(end.number, "DTSTART and DTEND mix a date and a "
                                                "date-time"))
        elif not last > first:
            findings.append(Finding(end.number, "DTEND is not after DTSTART"))


def _moment(line: _Line) -> dt.date | dt.datetime | None:
    """A DATE, or a DATE-TIME made comparable (UTC, zoned or floating alike)."""
    value = line.value.strip()
    if line.params.get("VALUE", "").upper() == "DATE" or len(value) == 8:
        match = _DATE.fullmatch(value)
        if not match:
            return None
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
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
    if match[7]:
        return local
    zone = line.params.get("TZID")
    if zone:
        try:
            aware = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return local
        return aware.astimezone(dt.UTC).replace(tzinfo=None)
    return local
