"""Property-based tests: random valid data always builds feeds that parse; random broken data
always ends in a clean DataError (exit status 1), never a traceback.

Datasets are generated as YAML text in the project's format, so the whole pipeline from
bytes to feeds is exercised. Example counts are set per test below; run with
`--hypothesis-show-statistics` to see them.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import icalendar
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from deadlinecal.errors import DataError
from deadlinecal.site import Build, build

from .badinput_support import existing_calendars, invoke, snapshot

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                        HealthCheck.data_too_large]}
VALID_EXAMPLES = 150
MUTATED_EXAMPLES = 300
CLI_EXAMPLES = 60

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,11}", fullmatch=True)
# Any printable text YAML can carry; validation refuses control characters on purpose.
printable = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=30)
tricky = st.sampled_from([
    "END:VEVENT", "BEGIN:VALARM", "x;y,z\\w:v", 'say "hi"',
    "<script>alert(1)</script>", "javascript:alert(1)", "no", "yes", "12:30", "2026-10",
    "~", "null", "- item", "key: value", "# not a comment", "&anchor", "*alias", "!tag",
    "%", "@", "`", "|", ">", "é" * 100, "😀" * 40, "x" * 400, " padded ",
])
# Required text must not be blank; prefix an "x" rather than filter, which wastes examples.
# Titles and names are one line; notes, pay and the like may hold line breaks.
lines = st.one_of(printable.map(lambda text: text if text.strip() else f"x{text}"), tricky)
texts = st.one_of(lines, st.lists(lines, min_size=2, max_size=4).map("\n".join),
                  st.just("a\nEND:VEVENT\nBEGIN:VALARM\nTRIGGER:-PT5M\nEND:VALARM"))
ZONES = ["America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe",
         "America/St_Johns", "Pacific/Chatham", "UTC", "AoE"]


# Characters YAML refuses to see raw in a file (json.dumps leaves them as they are).
_YAML_UNPRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\ud7ff\ue000-\ufffd"
                               "\U00010000-\U0010ffff]")


def q(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (JSON strings are valid YAML)."""
    return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m[0]):04x}",
                                 json.dumps(text, ensure_ascii=False))


@st.composite
def month_forms(draw: st.DrawFn, month: int) -> str:
    """Some fuzzy date inside month number `month` (0 = July 2026)."""
    year, mon = 2026 + (month + 6) // 12, (month + 6) % 12 + 1
    day = draw(st.integers(1, 28))
    form = draw(st.sampled_from([
        f"{year}-{mon:02d}-{day:02d}", f"{year}-{mon:02d}", f"early {year}-{mon:02d}",
        f"mid {year}-{mon:02d}", f"late {year}-{mon:02d}",
    ]))
    return f"around {form}" if draw(st.booleans()) and draw(st.booleans()) else form


@st.composite
def moments(draw: st.DrawFn, month: int) -> str:
    """A closing or deadline in month `month`: fuzzy, or an exact time in some zone."""
    if draw(st.booleans()):
        return draw(month_forms(month))
    year, mon = 2026 + (month + 6) // 12, (month + 6) % 12 + 1
    return (f"{year}-{mon:02d}-{draw(st.integers(1, 28)):02d} {draw(st.integers(0, 23)):02d}:"
            f"{draw(st.integers(0, 59)):02d} {draw(st.sampled_from(ZONES))}")


@st.composite
def windows(draw: st.DrawFn, key: str | None) -> str:
    lines = [f"      - key: {key}"] if key else []
    opens = draw(st.integers(0, 14))
    shape = draw(st.sampled_from(["dated", "dated", "dated", "wide", "deadline", "watch"]))
    if shape == "dated":
        lines.append(f"        opens: {q(draw(month_forms(opens)))}")
        for name in ("closes", "deadline"):
            if draw(st.booleans()):
                later = draw(st.integers(opens + 1, 17))
                lines.append(f"        {name}: {q(draw(moments(later)))}")
        if draw(st.booleans()):
            low = draw(st.integers(1, 6))
            duration = draw(st.sampled_from([
                f"{low} days", f"{low} weeks", f"{low}-{low + 2} weeks", "1 month"]))
            lines.append(f"        duration: {q(duration)}")
    elif shape == "wide":
        year = draw(st.sampled_from([2026, 2027]))
        season = draw(st.sampled_from([
            f"fall {year}", f"spring {year}", f"summer {year}", f"winter {year}",
            f"{year}-07..{year}-09", f"around fall {year}"]))
        lines.append(f"        opens: {q(season)}")
    elif shape == "deadline":
        lines.append(f"        deadline: {q(draw(moments(opens)))}")
    else:
        lines.append(f"        year_round: {draw(st.sampled_from(['true', 'false']))}")
    if draw(st.booleans()):
        lines.append(f"        rolling: {draw(st.sampled_from(['true', 'false']))}")
    if draw(st.booleans()):
        lines.append(f"        note: {q(draw(texts))}")
    if not key and len(lines) == 0:
        lines.append("        rolling: false")
    lines[0] = "      - " + lines[0].lstrip(" -")
    return "\n".join(lines) + "\n"


@st.composite
def datasets(draw: st.DrawFn) -> tuple[str, list[str]]:
    """YAML text of a valid dataset, and its program ids."""
    tracks = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    groups = draw(st.lists(slugs, min_size=1, max_size=3, unique=True))
    statuses = draw(st.lists(slugs, max_size=2, unique=True))
    ids = draw(st.lists(slugs, min_size=1, max_size=6, unique=True))
    out = [
        "format: 1", "dataset:", f"  id: {draw(slugs)}", f"  title: {q(draw(lines))}",
        f"  description: {q(draw(texts))}",
        "  cycle: {starts: 2026-07-01, ends: 2027-12-31}",
        f"  source: {{name: {q(draw(lines))}, url: https://example.org/source}}",
        "  updated: 2026-07-15",
    ]
    if draw(st.booleans()):
        out.append(f"  timezone: {draw(st.sampled_from(ZONES[:-1]))}")
    if draw(st.booleans()):
        out.append(f"  follow_up_days: {draw(st.integers(1, 365))}")
    if draw(st.booleans()):
        reminders = draw(st.lists(st.sampled_from(["P1D", "PT2H", "P1W", "P2DT12H", "PT0M"]),
                                  max_size=2, unique=True))
        out.append(f"  reminders: [{', '.join(reminders)}]")
    out.append("tracks:")
    out.extend(f"  {key}: {{title: {q(draw(lines))}}}" for key in tracks)
    out.append("eligibility:")
    out.extend(f"  {key}: {{title: {q(draw(lines))}, description: {q(draw(texts))}}}"
               for key in groups)
    if statuses:
        out.append("citizenship:")
        out.extend(f"  {key}: {{title: {q(draw(lines))}}}" for key in statuses)
    if draw(st.booleans()):
        out += ["feeds:", f"  {draw(slugs)}:", f"    title: {q(draw(lines))}",
                f"    filter: {{track: [{draw(st.sampled_from(tracks))}]}}"]
    out.append("programs:")
    for program_id in ids:
        out += [
            f"  - id: {program_id}",
            f"    employer: {q(draw(lines))}",
            f"    program: {q(draw(lines))}",
            f"    track: {draw(st.sampled_from(tracks))}",
            "    eligibility: [" + ", ".join(draw(st.lists(st.sampled_from(groups),
                                                        min_size=1, unique=True))) + "]",
            f"    last_verified: 2026-07-{draw(st.integers(1, 15)):02d}",
        ]
        if statuses and draw(st.booleans()):
            out.append("    citizenship: [" + ", ".join(draw(st.lists(
                st.sampled_from(statuses), min_size=1, unique=True))) + "]")
        for name in ("pay", "screens_for", "notes"):
            if draw(st.booleans()):
                out.append(f"    {name}: {q(draw(texts))}")
        if draw(st.booleans()):
            out.append(f"    link: https://example.org/{draw(slugs)}?q={draw(slugs)}")
        if not draw(st.integers(0, 5)):
            out.append("    cancelled: true")
        count = draw(st.integers(0, 3))
        if count:
            out.append("    windows:")
            keys = draw(st.lists(slugs, min_size=count, max_size=count, unique=True))
            for key in keys:
                out.append(draw(windows(key if count > 1 else None)).rstrip("\n"))
    return "\n".join(out) + "\n", ids


def check_feeds(result: Build) -> None:
    """Every feed parses, has sound structure and unique UIDs; all.ics has every program."""
    prefix = f"{result.dataset.id}."
    feeds = {path: content for path, content in result.files.items() if path.endswith(".ics")}
    assert feeds
    for path, content in feeds.items():
        calendar = icalendar.Calendar.from_ical(content)
        names = Counter(part.name for part in calendar.walk())
        assert names["VCALENDAR"] == 1, path
        assert set(names) <= {"VCALENDAR", "VEVENT", "VALARM", "VTIMEZONE", "STANDARD",
                              "DAYLIGHT"}
        uids = []
        for vevent in calendar.walk("VEVENT"):
            counts = Counter(name for name, _ in vevent.property_items(recursive=False))
            assert all(counts[name] == 1 for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY"))
            uids.append(str(vevent["UID"]))
            # The generated data asks for at most two reminders per event.
            alarms = [sub.name for sub in vevent.subcomponents]
            assert alarms in ([], ["VALARM"], ["VALARM", "VALARM"])
        assert len(uids) == len(set(uids)), path
        if path == "all.ics":
            assert len(uids) == len(result.events)
            found = {uid.removeprefix(prefix).split(".")[0] for uid in uids}
            assert found == {program.id for program in result.dataset.programs}


class TestValidData:
    @settings(max_examples=VALID_EXAMPLES, **SETTINGS)
    @given(datasets())
    def test_builds_feeds_that_parse_with_every_program(self, generated: tuple[str, list[str]]
                                                        ) -> None:
        text, ids = generated
        result = build(text.encode(), file="x.yaml", as_of=None)
        assert [program.id for program in result.dataset.programs] == ids
        check_feeds(result)


JUNK = ["[1, 2]", "{a: b}", "true", "12", "~", "''", "no", "2026-13", '"\\r"', "&a x", "*a",
        "!!int x", "[" * 40 + "x" + "]" * 40, "-1", "99999999999999999999", "'0000-01'",
        "winter 9999", "'9999-12-31 23:59 AoE'", "'1 month..2 weeks'", "{", "'", "\t",
        "2026-02-30", "Mars/Olympus", "javascript:x", "https://a.b/\"<>", "- - - x",
        "[P99999999999999W]", "[PT0M, P1D, P1D]", "[/etc/passwd]", "[../x.yaml]"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid dataset broken in one to three random ways."""
    text, _ = draw(datasets())
    data = text.encode()
    for _ in range(draw(st.integers(1, 3))):
        lines = data.split(b"\n")
        how = draw(st.sampled_from(["flip", "delete", "duplicate", "swap", "truncate",
                                    "insert"]))
        if how == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([draw(st.integers(0, 255))]) + data[at + 1:]
        elif how == "delete":
            del lines[draw(st.integers(0, len(lines) - 1))]
            data = b"\n".join(lines)
        elif how == "duplicate":
            at = draw(st.integers(0, len(lines) - 1))
            lines.insert(at, lines[at])
            data = b"\n".join(lines)
        elif how == "swap":
            at = draw(st.integers(0, len(lines) - 1))
            head, colon, _ = lines[at].partition(b": ")
            if colon:
                lines[at] = head + colon + draw(st.sampled_from(JUNK)).encode()
            data = b"\n".join(lines)
        elif how == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        else:
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(st.binary(max_size=20)))
            data = b"\n".join(lines)
    return data


class TestFoundByHypothesis:
    """Inputs the property tests once broke on, kept as plain regression tests."""

    def test_deadline_in_utc_needs_no_vtimezone(self) -> None:
        from .badinput_support import replaced

        data = replaced("23:59 America/New_York", "23:59 UTC")
        result = build(data.encode(), file="x.yaml")
        check_feeds(result)
        assert b"DTEND:20261201T235900Z\r\n" in result.files["all.ics"]
        assert b"VTIMEZONE" not in result.files["tracks/applied.ics"]


class TestBrokenData:
    @settings(max_examples=MUTATED_EXAMPLES, **SETTINGS)
    @given(mutated())
    def test_ends_in_a_data_error_or_sound_feeds(self, data: bytes) -> None:
        try:
            result = build(data, file="x.yaml")
        except DataError as error:
            event("DataError")
            assert error.problems
            assert all(problem.file == "x.yaml" and problem.message
                       for problem in error.problems)
            return
        event("still valid: feeds built")
        check_feeds(result)

    @settings(max_examples=CLI_EXAMPLES, **SETTINGS)
    @given(mutated())
    def test_command_exits_0_or_1_and_never_touches_calendars_on_1(self, data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            workdir = Path(folder)
            (workdir / "data.yaml").write_bytes(data)
            calendars = existing_calendars(workdir)
            before = snapshot(calendars)
            result = invoke("build", str(workdir / "data.yaml"), "-o", str(calendars),
                            "--as-of", "2026-08-01")
            event(f"exit status {result.exit_code}")
            assert result.exit_code in (0, 1), result.output
            assert "Traceback" not in result.output
            if result.exit_code == 1:
                assert result.stdout == ""
                assert result.stderr.endswith("nothing was written.\n")
                assert snapshot(calendars) == before


INJECTION_EXAMPLES = 150
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


class TestAnyText:
    """Whatever text lands in a field, the feed keeps its shape and the text is kept whole."""

    @settings(max_examples=INJECTION_EXAMPLES, **SETTINGS)
    @given(st.sampled_from(["employer", "notes", "pay"]), any_text)
    def test_text_is_refused_or_carried_verbatim(self, name: str, text: str) -> None:
        from .badinput_support import BASE, replaced

        data = replaced("    link: https://example.org/alpha\n",
                        f"    link: https://example.org/alpha\n    {name}: {q(text)}\n")
        data = data.replace("    employer: Acme\n", "") if name == "employer" else data
        try:
            result = build(data.encode(), file="x.yaml")
        except DataError as error:
            event("DataError")
            assert [p.path for p in error.problems] == [f"programs[0] (alpha).{name}"]
            return
        event("carried")
        clean = build(BASE.encode(), file="x.yaml").files["all.ics"]
        ics = result.files["all.ics"]
        shape = [(part.name, sorted({key for key, _ in part.property_items(recursive=False)}))
                 for part in icalendar.Calendar.from_ical(ics).walk()]
        assert shape == [(part.name, sorted({key for key, _ in part.property_items(
            recursive=False)})) for part in icalendar.Calendar.from_ical(clean).walk()]
        label = {"employer": "", "notes": "Notes: ", "pay": "Pay: "}[name]
        alpha = [e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")
                 if ".alpha." in str(e["UID"])]
        wanted = f"{label}{text.strip()}" if text.strip() else "Acme"  # empty: left out
        assert alpha
        # The employer is in the first line of the description (the title may shorten it).
        assert all(wanted in str(e["DESCRIPTION"]) for e in alpha)
