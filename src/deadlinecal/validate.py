"""YAML nodes -> typed records, collecting every problem with its line and YAML path."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml

from . import dates, select
from .errors import DataError, Problem
from .load import parse_yaml
from .model import (
    DEFAULT_REMINDERS,
    Dataset,
    FeedSpec,
    Filter,
    FuzzyDate,
    ImportRecord,
    PostingPattern,
    Program,
    Source,
    Vocabulary,
    Window,
)
from .spec import FEED, FORMAT_VERSION, PROGRAM, ROOT, TERM, Field, Shape

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_YEAR_KEY = re.compile(r"(?:^|-)[0-9]{4}$")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
# Characters that RFC 3986 never allows in a link and that could close an HTML attribute or
# tag on the subscribe page; write them percent-encoded (%22 %3C %3E %5C %60).
_URL_FORBIDDEN = re.compile(r'["<>\\`]')
# Control characters (C0 but tab and newline, DEL, C1) and Unicode line/paragraph separators:
# refused in every text value. Most reach YAML only through escapes such as "\r" or "\x07",
# so they are never typed by accident, and they are invisible in a calendar.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_NAMES = {"\r": "a carriage return (\\r)", "\x00": "a NUL byte (\\0)",
                  "\x0b": "a vertical tab (\\v)", "\x0c": "a form feed (\\f)",
                  "\x1b": "an escape character (\\e)", "\x85": "a next-line character (\\N)",
                  "\u2028": "a line separator (\\L)", "\u2029": "a paragraph separator (\\P)"}
# Text that becomes an event title (RFC 5545: "a short, one-line summary"), a calendar's
# name or a category is one line; descriptions and notes may hold line breaks.
_ONE_LINE = {"title", "employer", "program", "name", "short"}
# A short name leaves room in a month view for the action before it ("~Opens: ").
MAX_SHORT_CHARS = 20
# Every text is copied into each event of its program in every feed that holds it, so one
# huge value multiplies (5 MB of notes made 47 MB of feeds). The default data's longest is 403.
MAX_TEXT_CHARS = 10_000
_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
DEFAULT_FOLLOW_UP_DAYS = 14
DEFAULT_MAX_AGE_DAYS = 180
DEFAULT_REFRESH_HOURS = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class Loaded:
    """A valid dataset and the warnings found while reading it."""

    dataset: Dataset
    warnings: tuple[Problem, ...]
    # Each employer a named feed keeps, with where it is written: programs of other files
    # in the same build may hold it, so `check_feed_employers` looks once all are read.
    feed_employers: tuple[tuple[str, Problem], ...] = ()


def load_dataset(
    data: bytes, *, file: str, as_of: dt.date | None = None,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS, unstated: bool = False,
) -> Loaded:
    """Parse and validate a data file.

    `as_of` enables the stale-`last_verified` warning; `unstated` the warnings about
    programs that leave eligibility or citizenship out (for `validate`, the editor's
    check). Raises DataError listing every problem.
    """
    root = parse_yaml(data, file=file)
    checker = _Checker(file)
    dataset = checker.dataset(root)
    if checker.errors or dataset is None:
        raise DataError(checker.errors)
    if as_of is not None:
        checker.warn_stale(dataset, as_of, max_age_days)
    if unstated:
        checker.warn_unstated(dataset)
    return Loaded(dataset=dataset, warnings=tuple(sorted(checker.warnings, key=Problem.sort_key)),
                  feed_employers=tuple(checker.feed_employers))


def check_feed_employers(loaded: Sequence[Loaded], dataset: Dataset) -> None:
    """Refuse a named feed's employer that no program of the combined `dataset` has (compared
    as `select.fold` has them: exactly, but for case and Unicode form). Raises DataError."""
    valid = select.employers(dataset)
    problems = []
    for entry in loaded:
        for value, where in entry.feed_employers:
            if select.known(value, valid) is None:
                close = select.did_you_mean(value, valid)
                hint = f"; did you mean {close}?" if close else ""
                problems.append(replace(
                    where, message=f"{_clip(value)!r} is not the employer of any program{hint}",
                    expected="an employer's name as its programs write it (case and accents "
                    "may be typed differently)"))
    if problems:
        raise DataError(problems)


class _Checker:
    """Walks nodes against the spec; remembers problems instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.default_zone: str | None = None
        self.vocabularies: dict[str, dict[str, Vocabulary]] = {}
        self._program_lines: dict[str, int] = {}
        self._program_nodes: list[yaml.Node] = []
        self.feed_employers: list[tuple[str, Problem]] = []

    # -- reporting ---------------------------------------------------------------------

    def problem(self, node: yaml.Node | None, path: str, message: str, expected: str = "",
                *, warning: bool = False) -> None:
        mark = node.start_mark if node is not None else None
        entry = Problem(
            file=self.file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            path=path,
            message=message,
            expected=expected,
            severity="warning" if warning else "error",
        )
        (self.warnings if warning else self.errors).append(entry)

    # -- structure ---------------------------------------------------------------------

    def fields(self, node: yaml.Node, path: str, shape: Shape) -> dict[str, Any] | None:
        """Check a mapping against `shape`; return converted values (None where invalid)."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"{_describe(node)} where a mapping is needed",
                         f"a mapping with keys {', '.join(f.name for f in shape.fields)}")
            return None
        values: dict[str, Any] = {}
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.problem(key_node, path, "a key must be plain text",
                             f"one of {', '.join(f.name for f in shape.fields)}")
                continue
            if key in seen:
                self.problem(key_node, _join(path, key), f"duplicate key {key!r}",
                             "each key once")
                continue
            seen.add(key)
            field = shape.field(key)
            if field is None:
                names = [f.name for f in shape.fields]
                close = difflib.get_close_matches(key, names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                self.problem(key_node, _join(path, key), f"unknown key {key!r}{hint}",
                             f"one of {', '.join(names)}")
                continue
            values[key] = self.value(value_node, _join(path, key), field)
        for field in shape.fields:
            if field.required and field.name not in seen:
                self.problem(node, _join(path, field.name),
                             f"missing required key {field.name!r}",
                             f"{field.name}: {_expected(field.kind, field)}")
        return values

    def value(self, node: yaml.Node, path: str, field: Field) -> Any:
        kind = field.kind
        if kind == "object":
            assert field.shape is not None
            return self.fields(node, path, field.shape)
        if kind == "list":
            assert field.shape is not None
            if not isinstance(node, yaml.SequenceNode):
                self.problem(node, path, f"{_describe(node)} where a list is needed",
                             f"a list of {field.shape.name}s, each starting with '- '")
                return None
            if field.required and not node.value:
                self.problem(node, path, "the list is empty", f"at least one {field.shape.name}")
            return [(item, self.fields(item, f"{path}[{index}]", field.shape))
                    for index, item in enumerate(node.value)]
        if kind == "reminders":
            return self.reminders(node, path)
        if kind in ("vocabulary", "feeds"):
            return self.keyed(node, path, TERM if kind == "vocabulary" else FEED)
        if kind in ("keys", "texts"):
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            converted = [self.scalar(item, f"{path}[{i}]" if len(items) > 1 or
                                     isinstance(node, yaml.SequenceNode) else path,
                                     "key" if kind == "keys" else "text", field)
                         for i, item in enumerate(items)]
            if not items and not field.empty_ok:
                self.problem(node, path, "the list is empty", "at least one entry")
            return [(item, value) for item, value in zip(items, converted, strict=True)]
        return self.scalar(node, path, kind, field)

    def keyed(self, node: yaml.Node, path: str, shape: Shape) -> list[tuple[yaml.Node, str,
                                                                          dict[str, Any]]]:
        """A mapping from slug keys to objects of `shape` (vocabularies, feeds)."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"{_describe(node)} where a mapping is needed",
                         "a mapping of slug -> {title: ..., ...}")
            return []
        entries = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            where = _join(path, str(key))
            if not isinstance(key, str) or not _SLUG.fullmatch(key):
                self.problem(key_node, where, f"{key!r} is not a valid key",
                             "lower-case letters, digits and hyphens, like 'phd'")
                continue
            if key in seen:
                self.problem(key_node, where, f"duplicate key {key!r}", "each key once")
                continue
            seen.add(key)
            values = self.fields(value_node, where, shape)
            if values is not None:
                entries.append((key_node, key, values))
        if not entries and not self.errors:
            self.problem(node, path, "no entries", "at least one entry")
        return entries

    def reminders(self, node: yaml.Node, path: str) -> tuple[dt.timedelta, ...] | None:
        """A list of durations before an event; an empty list turns reminders off."""
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, f"{_describe(node)} where a list is needed",
                         f"a list like [P1D, PT2H], or [] for none: {dates.REMINDER_FORMS}")
            return None
        found = []
        for index, item in enumerate(node.value):
            where = f"{path}[{index}]"
            if not isinstance(item, yaml.ScalarNode):
                self.problem(item, where, f"{_describe(item)} where a duration is needed",
                             dates.REMINDER_FORMS)
                return None
            try:
                found.append(dates.parse_reminder(item.value))
            except dates.DateSyntaxError as exc:
                self.problem(item, where, str(exc), dates.REMINDER_FORMS)
                return None
        return tuple(sorted(set(found), reverse=True))

    # -- scalars -----------------------------------------------------------------------

    def scalar(self, node: yaml.Node, path: str, kind: str, field: Field) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, f"{_describe(node)} where a single value is needed",
                         _expected(kind, field))
            return None
        text: str = node.value
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            self.problem(node, path, "no value given", _expected(kind, field))
            return None
        if kind == "bool":
            if tag == "tag:yaml.org,2002:bool":
                return text.lower() == "true"
            extra = " (yes/no/on/off are not booleans here)" if text.lower() in _BOOL_WORDS else ""
            if text.lower() in ("true", "false") and node.style in ("'", '"'):
                extra = " (it is in quotes, which makes it text: remove the quotes)"
            self.problem(node, path, f"{text!r} is not true or false{extra}", "true or false")
            return None
        if kind == "int":
            if tag == "tag:yaml.org,2002:int":
                # Python refuses to read integers of more than 4,300 digits; none is sane.
                number = int(text) if len(text) <= 18 else None
                low, high = field.minimum, field.maximum
                bounds = (f"a whole number from {low} to {high}" if low is not None and
                          high is not None else f"a whole number of at least {low}"
                          if low is not None else "a whole number")
                if number is None or (high is not None and number > high):
                    self.problem(node, path, f"{_clip(text)} is too large", bounds)
                    return None
                if low is not None and number < low:
                    self.problem(node, path, f"{number} is too small", bounds)
                    return None
                return number
            self.problem(node, path, f"{text!r} is not a whole number", "a whole number")
            return None
        if kind == "text":
            if not self.plain_text(node, path, text):
                return None
            if field.required and not text.strip():
                self.problem(node, path, "the text is empty", "some text")
                return None
            if field.name in _ONE_LINE and "\n" in text.strip():
                self.problem(node, path, f"the text has a line break; {field.name} is one line",
                             "one line of text (fold a long one with >-)")
                return None
            if field.name == "short" and len(text.strip()) > MAX_SHORT_CHARS:
                self.problem(node, path, f"the short name is {len(text.strip())} characters "
                             "long", f"at most {MAX_SHORT_CHARS} characters, like 'Google STEP'")
                return None
            return text.strip()
        if kind in ("slug", "key"):
            if not _SLUG.fullmatch(text):
                self.problem(node, path, f"{text!r} is not a valid identifier",
                             "lower-case letters, digits and hyphens, like 'google-step'")
                return None
            return text
        if kind == "url":
            if not self.plain_text(node, path, text):
                return None
            if forbidden := _URL_FORBIDDEN.search(text):
                self.problem(node, path, f"the link contains {forbidden[0]!r}, which web "
                             "addresses may not hold", "the character percent-encoded, e.g. "
                             "%22 for a quote, %3C and %3E for < and >")
                return None
            if not _URL.fullmatch(text.strip()):
                self.problem(node, path, f"{text!r} is not a web link",
                             "an address starting with http:// or https://")
                return None
            return text.strip()
        if kind in ("day", "fuzzy", "moment"):
            return self.date(node, path, kind, text)
        if kind == "duration":
            try:
                return dates.parse_duration(text)
            except dates.DateSyntaxError as exc:
                self.problem(node, path, str(exc), dates.DURATION_FORMS)
                return None
        raise AssertionError(f"unhandled kind {kind}")  # pragma: no cover - spec bug

    def plain_text(self, node: yaml.Node, path: str, text: str) -> bool:
        """False (with a problem) when `text` is too long or holds a control character."""
        if len(text) > MAX_TEXT_CHARS:
            self.problem(node, path, f"the text is {len(text):,} characters long",
                         f"at most {MAX_TEXT_CHARS:,} characters; link to a page for more")
            return False
        found = _CONTROL.search(text)
        if found is None:
            return True
        char = found[0]
        name = _CONTROL_NAMES.get(char, f"the control character U+{ord(char):04X}")
        self.problem(node, path, f"the text contains {name} at character {found.start() + 1}",
                     "printable text; for a line break use a real new line in a | block")
        return False

    def date(self, node: yaml.Node, path: str, kind: str, text: str) -> Any:
        try:
            parsed = dates.parse_fuzzy(text, allow_time=kind == "moment",
                                       default_zone=self.default_zone)
        except dates.DateSyntaxError as exc:
            expected = "a day as YYYY-MM-DD" if kind == "day" else dates.DATE_FORMS
            self.problem(node, path, str(exc), expected)
            return None
        if kind == "day":
            if not parsed.exact or parsed.moment is not None:
                self.problem(node, path, f"{text!r} is not one exact day",
                             "a day as YYYY-MM-DD")
                return None
            return parsed.earliest
        return parsed

    # -- records -----------------------------------------------------------------------

    def dataset(self, root: yaml.Node) -> Dataset | None:
        if isinstance(root, yaml.MappingNode):
            # The default zone must be known before any deadline is parsed.
            for key_node, value_node in root.value:
                if key_node.value == "dataset" and isinstance(value_node, yaml.MappingNode):
                    for inner_key, inner_value in value_node.value:
                        if inner_key.value == "timezone" and isinstance(
                            inner_value, yaml.ScalarNode
                        ):
                            self.zone(inner_value)
        top = self.fields(root, "", ROOT)
        if top is None:
            return None
        version = top.get("format")
        if version is not None and version != FORMAT_VERSION:
            self.problem(_child(root, "format"), "format",
                         f"format {version} is not supported", f"format: {FORMAT_VERSION}")
        for name in ("tracks", "eligibility", "citizenship"):
            self.vocabularies[name] = {
                key: Vocabulary(key=key, title=values.get("title") or key,
                                description=values.get("description") or "")
                for _, key, values in top.get(name) or []
            }
        self.check_includes(top.get("include") or [])
        meta = top.get("dataset") or {}
        programs = self.programs(top.get("programs") or [])
        feeds = self.feeds(top.get("feeds") or [])
        cycle = meta.get("cycle") or {}
        if cycle.get("starts") and cycle.get("ends") and cycle["ends"] < cycle["starts"]:
            self.problem(_child(_child(_child(root, "dataset"), "cycle"), "ends"),
                         "dataset.cycle.ends", "the cycle ends before it starts",
                         "a day on or after dataset.cycle.starts")
        if self.errors:
            return None
        follow_up = meta.get("follow_up_days") or DEFAULT_FOLLOW_UP_DAYS
        dataset = Dataset(
            id=meta["id"],
            title=meta["title"],
            description=meta.get("description") or "",
            cycle_starts=cycle["starts"],
            cycle_ends=cycle["ends"],
            source=_source(meta["source"]),
            updated=meta["updated"],
            timezone=self.default_zone,
            follow_up_days=follow_up,
            refresh_hours=meta.get("refresh_hours") or DEFAULT_REFRESH_HOURS,
            tracks=tuple(self.vocabularies["tracks"].values()),
            eligibility=tuple(self.vocabularies["eligibility"].values()),
            citizenship=tuple(self.vocabularies["citizenship"].values()),
            feeds=feeds,
            programs=tuple(program for _, program in programs),
            includes=_plain(top.get("include")),
            file=self.file,
            base_url=meta.get("base_url"),
            reminders=(meta["reminders"] if meta.get("reminders") is not None
                       else DEFAULT_REMINDERS),
            imported=(ImportRecord(**meta["imported"]),) if meta.get("imported") else (),
        )
        self.warn_follow_ups(dataset, programs)
        self._program_nodes = [node for node, _ in programs]
        return dataset

    def check_includes(self, entries: list[tuple[yaml.Node, str | None]]) -> None:
        """Included files stay beside this one: a pull request could otherwise name any file
        on the machine that builds it, and its first lines would appear in the error."""
        for index, (node, path) in enumerate(entries):
            if path is None:
                continue
            where = f"include[{index}]" if len(entries) > 1 else "include"
            normal = posixpath.normpath(path) if path else ""
            if (not path or path.startswith(("/", "~")) or "\\" in path or ":" in path
                    or normal == ".." or normal.startswith("../")
                    or not normal.endswith((".yaml", ".yml"))):
                self.problem(node, where, f"{_clip(path)!r} is not a data file beside this one",
                             "a relative path to a .yaml file in this folder or below, like "
                             "'more-programs.yaml'")

    def zone(self, node: yaml.ScalarNode) -> None:
        try:
            dates.load_zone(node.value)
        except dates.DateSyntaxError as exc:
            self.problem(node, "dataset.timezone", str(exc), "an IANA zone like Europe/Paris")
            return
        self.default_zone = node.value

    def programs(self, items: list[tuple[yaml.Node, dict[str, Any] | None]]
                 ) -> list[tuple[yaml.Node, Program]]:
        if not items:
            return []
        built = []
        for index, (node, values) in enumerate(items):
            path = f"programs[{index}]"
            if values is None:
                continue
            program_id = values.get("id")
            if program_id:
                if program_id in self._program_lines:
                    self.problem(_child(node, "id"), f"{path}.id",
                                 f"duplicate program id {program_id!r} (first used on line "
                                 f"{self._program_lines[program_id]})", "a unique id")
                else:
                    self._program_lines[program_id] = node.start_mark.line + 1
            self.check_terms(node, path, values, "track", "tracks")
            self.check_terms(node, path, values, "eligibility", "eligibility")
            self.check_terms(node, path, values, "citizenship", "citizenship")
            windows = self.windows(node, path, values.get("windows") or [])
            if any(values.get(f.name) is None for f in PROGRAM_REQUIRED):
                continue
            built.append((node, Program(
                id=values["id"],
                employer=values["employer"],
                program=values["program"],
                track=values["track"],
                short=values.get("short") or "",
                eligibility=tuple(value for _, value in values.get("eligibility") or []),
                citizenship=tuple(value for _, value in values.get("citizenship") or []),
                pay=values.get("pay") or "",
                screens_for=values.get("screens_for") or "",
                link=values.get("link"),
                source=_source(values["source"]) if values.get("source") else None,
                last_verified=values["last_verified"],
                notes=values.get("notes") or "",
                stated=frozenset(name for name in ("eligibility", "citizenship")
                                 if name in values),
                follow_up_days=values.get("follow_up_days"),
                windows=windows,
                cancelled=bool(values.get("cancelled")),
                reminders=values.get("reminders"),
                postings=_pattern(values.get("postings")),
            )))
        return built

    def check_terms(self, node: yaml.Node, path: str, values: dict[str, Any], name: str,
                    vocabulary: str) -> None:
        declared = self.vocabularies.get(vocabulary, {})
        raw = values.get(name)
        entries = raw if isinstance(raw, list) else [(_child(node, name), raw)]
        for index, (item_node, key) in enumerate(entries):
            if key is None or key in declared:
                continue
            where = f"{path}.{name}" + (f"[{index}]" if isinstance(raw, list) else "")
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            valid = ", ".join(declared) or f"none declared: add a top-level {vocabulary}: key"
            self.problem(item_node, where, f"{key!r} is not a declared {name} term{hint}",
                         f"one of {valid}")
            if isinstance(raw, list):
                raw[index] = (item_node, None)
        if not isinstance(raw, list) and raw is not None and raw not in declared:
            values[name] = None

    def windows(self, program_node: yaml.Node, path: str,
                items: list[tuple[yaml.Node, dict[str, Any] | None]]) -> tuple[Window, ...]:
        built: list[Window] = []
        keys: set[str] = set()
        for index, (node, values) in enumerate(items):
            where = f"{path}.windows[{index}]"
            if values is None:
                continue
            key = values.get("key")
            if key is None:
                if "key" in values:
                    continue
                if len(items) > 1:
                    self.problem(node, f"{where}.key", "a program with several windows needs "
                                 "a key on each; a window that had none was 'main', so write "
                                 "key: main on it to keep its subscribed events",
                                 "a slug such as 'main' or 'summer-2027'")
                    continue
                key = "main"
            if key in keys:
                self.problem(_child(node, "key"), f"{where}.key", f"duplicate window key "
                             f"{key!r}", "a key unique within the program")
                continue
            keys.add(key)
            window = Window(
                key=key,
                opens=values.get("opens"),
                closes=values.get("closes"),
                deadline=values.get("deadline"),
                duration=values.get("duration"),
                rolling=bool(values.get("rolling")),
                year_round=bool(values.get("year_round")),
                note=values.get("note") or "",
                cancelled=bool(values.get("cancelled")),
                recurs_yearly=bool(values.get("recurs_yearly")),
            )
            if window.recurs_yearly and not _YEAR_KEY.search(key):
                self.problem(_child(node, "key") if "key" in values else node, f"{where}.key",
                             f"recurring window key {key!r} does not end in a year",
                             "a key such as 'summer-2027', so the projection is 'summer-2028'")
                continue
            self.check_window_order(node, where, window)
            built.append(window)
        return tuple(built)

    def check_window_order(self, node: yaml.Node, where: str, window: Window) -> None:
        if window.opens is None:
            return
        for name in ("closes", "deadline"):
            later: FuzzyDate | None = getattr(window, name)
            if later is not None and later.latest < window.opens.earliest:
                self.problem(_child(node, name), f"{where}.{name}",
                             f"{name} ({later.wording}) is before opens "
                             f"({window.opens.wording})", "a date on or after the opening")

    def feeds(self, entries: list[tuple[yaml.Node, str, dict[str, Any]]]
              ) -> tuple[FeedSpec, ...]:
        feeds = []
        for key_node, key, values in entries:
            chosen = values.get("filter") or {}
            for name, vocabulary in (("track", "tracks"), ("eligibility", "eligibility"),
                                     ("citizenship", "citizenship")):
                self.check_terms(key_node, f"feeds.{key}.filter", chosen, name, vocabulary)
            for index, (node, employer) in enumerate(chosen.get("employer") or []):
                if employer is not None:
                    mark = node.start_mark
                    self.feed_employers.append((employer, Problem(
                        file=self.file, line=mark.line + 1, column=mark.column + 1,
                        path=f"feeds.{key}.filter.employer[{index}]", message="")))
            if (chosen.get("from") and chosen.get("until")
                    and chosen["until"] < chosen["from"]):
                self.problem(key_node,
                             f"feeds.{key}.filter.until", "the range ends before it starts",
                             "a day on or after 'from'")
                continue
            if values.get("title") is None:
                continue
            feeds.append(FeedSpec(
                path=f"feeds/{key}.ics",
                title=values["title"],
                description=values.get("description") or "",
                filter=Filter(
                    tracks=_plain(chosen.get("track")),
                    eligibility=_plain(chosen.get("eligibility")),
                    employers=_plain(chosen.get("employer")),
                    citizenship=_plain(chosen.get("citizenship")),
                    confirmed_only=bool(chosen.get("confirmed_only")),
                    date_from=chosen.get("from"),
                    date_until=chosen.get("until"),
                ),
            ))
        return tuple(feeds)

    # -- warnings ----------------------------------------------------------------------

    def warn_follow_ups(self, dataset: Dataset,
                        programs: list[tuple[yaml.Node, Program]]) -> None:
        """Warnings about windows that are valid but probably not what the author meant."""
        for index, (node, program) in enumerate(programs):
            offset = dataset.follow_up_days_for(program)
            for w_index, window in enumerate(program.windows):
                where = f"programs[{index}].windows[{w_index}]"
                window_node = _item(_child(node, "windows"), w_index)

                def warn(name: str, message: str, expected: str,
                         window_node: yaml.Node | None = window_node, where: str = where) -> None:
                    self.problem(_child(window_node, name), f"{where}.{name}", message,
                                 expected, warning=True)

                self.warn_window(dataset, window, offset, warn)

    def warn_window(self, dataset: Dataset, window: Window, offset: int,
                    warn: Callable[[str, str, str], None]) -> None:
        dated = [(name, when) for name in ("opens", "closes", "deadline")
                 if (when := getattr(window, name)) is not None]
        if not dated and not window.year_round:
            warn("key", "this window has no date and is not year_round, so it is listed "
                 "as a watch-list entry", "opens, closes or deadline, or year_round: true")
        if dated and window.year_round:
            warn("year_round", "year_round is ignored because the window has dates",
                 "either dates or year_round: true")
        if window.closes is not None and window.duration is not None:
            warn("duration", "duration is ignored because closes is given",
                 "either closes or duration")
        if (window.closes is not None and window.deadline is not None
                and window.deadline.earliest > window.closes.latest):
            warn("deadline", f"the deadline ({window.deadline.wording}) is after the window "
                 f"closes ({window.closes.wording})", "a deadline on or before closes")
        for name, when in dated:
            if when.latest < dataset.cycle_starts or when.earliest > dataset.cycle_ends:
                warn(name, f"{when.wording} is outside the cycle "
                     f"({dataset.cycle_starts.isoformat()} to {dataset.cycle_ends.isoformat()})",
                     "a date within dataset.cycle, or a wider cycle")
        if window.opens is None:
            return
        follow_up = dates.follow_up_day(window.opens, offset, dataset.updated)
        ends = [(name, when.latest, when.wording) for name in ("closes", "deadline")
                if (when := getattr(window, name)) is not None]
        if window.closes is None and window.duration is not None:
            latest = dates.latest_close(window.opens, window.duration)
            ends.append(("duration", latest, f"{window.duration.wording} after it opens"))
        for name, latest, wording in ends:
            if follow_up > latest:
                warn(name, f"the {offset}-day follow-up ({dates.human_day(follow_up)}) "
                     f"would fall after the window closes ({wording}), so it is moved "
                     "before the earliest close",
                     "a shorter follow_up_days for this program")
                break

    def warn_unstated(self, dataset: Dataset) -> None:
        """Point out eligibility and citizenship left out: feeds then say "not stated"."""
        for index, (node, program) in enumerate(zip(self._program_nodes, dataset.programs,
                                                    strict=True)):
            # A dataset without a citizenship vocabulary does not track citizenship at all.
            for name in ("eligibility", "citizenship")[: 2 if dataset.citizenship else 1]:
                if name not in program.stated:
                    self.problem(node, f"programs[{index}].{name}", f"{program.id} does not "
                                 f"state its {name}, so its events say 'not stated'",
                                 f"the {name} the source gives, or {name}: [] when it says "
                                 "nothing", warning=True)

    def warn_stale(self, dataset: Dataset, as_of: dt.date, max_age_days: int) -> None:
        for index, program in enumerate(dataset.programs):
            age = (as_of - program.last_verified).days
            verified = program.last_verified.isoformat()
            if age < 0:
                message = (f"{program.id} is marked verified on {verified}, after today "
                           f"({as_of.isoformat()})")
                expected = "a day that has passed"
            elif age > max_age_days:
                message = f"{program.id} was last verified {age} days ago ({verified})"
                expected = f"a check within {max_age_days} days"
            else:
                continue
            node = (_child(self._program_nodes[index], "last_verified")
                    if index < len(self._program_nodes) else None)
            self.problem(node, f"programs[{index}].last_verified", message, expected,
                         warning=True)


PROGRAM_REQUIRED = tuple(f for f in PROGRAM.fields if f.required)


def _plain(entries: list[tuple[yaml.Node, Any]] | None) -> tuple[str, ...]:
    return tuple(value for _, value in entries or [] if value is not None)


def _pattern(values: dict[str, Any] | None) -> PostingPattern | None:
    """A program's `postings:` mapping; alternatives are separated by '|'."""
    if not values or not values.get("employer"):
        return None

    def alternatives(text: str | None) -> tuple[str, ...]:
        return tuple(part.strip() for part in (text or "").split("|") if part.strip())

    return PostingPattern(employers=alternatives(values["employer"]),
                          titles=alternatives(values.get("title")))


def _source(values: dict[str, Any]) -> Source:
    return Source(name=values["name"], url=values.get("url"))


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key`, for pointing an error at it; the mapping if absent."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return node


def _clip(text: str, limit: int = 40) -> str:
    """Quote a long value in a message without repeating all of it."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters)"


def _item(node: yaml.Node | None, index: int) -> yaml.Node | None:
    """The `index`-th entry of a sequence node, for pointing an error at it."""
    if isinstance(node, yaml.SequenceNode) and index < len(node.value):
        return node.value[index]  # type: ignore[no-any-return]
    return node


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {_clip(node.value)!r}"


def _expected(kind: str, field: Field) -> str:
    return {
        "bool": "true or false",
        "int": "a whole number",
        "text": "text",
        "texts": "text, or a list of texts",
        "slug": "lower-case letters, digits and hyphens",
        "key": f"one of the declared {field.vocab}",
        "url": "an http:// or https:// address",
        "day": "a day as YYYY-MM-DD",
        "fuzzy": dates.DATE_FORMS,
        "moment": dates.DATE_FORMS,
        "duration": dates.DURATION_FORMS,
        "keys": f"a list of the declared {field.vocab}",
        "list": f"a list of {field.shape.name}s" if field.shape else "a list",
        "object": ("a mapping with keys " + ", ".join(f.name for f in field.shape.fields)
                   if field.shape else "a mapping"),
        "vocabulary": "a mapping of key -> {title: ...}",
        "reminders": dates.REMINDER_FORMS,
    }.get(kind, field.doc)
