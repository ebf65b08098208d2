"""Walks YAML nodes against the spec's shapes: mappings, lists and scalars -> plain values.

Each section checker then reads these values (None where a value was invalid, with the
problem already collected) and builds the records of its part of the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

import yaml

from deadlinecal.dataset import dates
from deadlinecal.dataset.spec import FEED, MAX_REMINDERS, PROGRAM, TERM, Field, Shape
from deadlinecal.dataset.validate.collector import (
    KEY_EXCERPT_CHARS,
    Collector,
    describe,
    join,
    key_name,
    program_at,
)
from deadlinecal.dataset.validate.scalars import expected, scalar, short, slug
from deadlinecal.errors import quoted

Keyed = list[tuple[yaml.Node, str, dict[str, Any]]]
# The kinds `scalar` converts (a single value each); the rest are mappings and lists.
_SCALAR_KINDS = frozenset({"bool", "int", "text", "url", "duration", "slug", "key", "day",
                           "fuzzy", "moment", "verified"})


class Values:
    """Converts nodes to values; `zone` is the dataset's default zone, for deadlines."""

    def __init__(self, problems: Collector) -> None:
        self.problems = problems
        self.zone: str | None = None

    def fields(self, node: yaml.Node, path: str, shape: Shape) -> dict[str, Any] | None:
        """Check a mapping against `shape`; return converted values (None where invalid)."""
        problem = self.problems.problem
        if not isinstance(node, yaml.MappingNode):
            problem(node, path, f"{describe(node)} where a mapping is needed",
                    f"a mapping with keys {', '.join(f.name for f in shape.fields)}")
            return None
        values: dict[str, Any] = {}
        seen: set[str] = set()
        by_name, value, problems = shape.by_name, self.value, self.problems
        zone = self.zone
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                problem(key_node, path, "a key must be plain text",
                        f"one of {', '.join(f.name for f in shape.fields)}")
                continue
            if key in seen:
                problem(key_node, join(path, key_name(key)),
                        f"duplicate key {quoted(key, KEY_EXCERPT_CHARS)}", "each key once")
                continue
            seen.add(key)
            field = by_name.get(key)
            if field is None:
                names = [f.name for f in shape.fields]
                close = difflib.get_close_matches(key[:KEY_EXCERPT_CHARS], names, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                problem(key_node, join(path, key_name(key)),
                        f"unknown key {quoted(key, KEY_EXCERPT_CHARS)}{hint}",
                        f"one of {', '.join(names)}")
                continue
            where = f"{path}.{key}" if path else key
            kind = field.kind
            # Most values are single scalars: straight to their converter.
            values[key] = (scalar(problems, value_node, where, kind, field, zone)
                           if kind in _SCALAR_KINDS else value(value_node, where, field))
        if shape.required.issubset(seen):
            return values
        for field in shape.fields:
            if field.required and field.name not in seen:
                problem(node, join(path, field.name), f"missing required key {field.name!r}",
                        f"{field.name}: {expected(field.kind, field)}")
        return values

    def value(self, node: yaml.Node, path: str, field: Field) -> Any:
        kind = field.kind
        if kind in _SCALAR_KINDS:
            return self.scalar(node, path, kind, field)
        if kind == "object":
            assert field.shape is not None
            return self.fields(node, path, field.shape)
        if kind == "list":
            return self.items(node, path, field)
        if kind == "reminders":
            return self.reminders(node, path)
        if kind in ("vocabulary", "feeds"):
            return self.keyed(node, path, TERM if kind == "vocabulary" else FEED)
        if kind == "eligibility" and isinstance(node, yaml.MappingNode):
            assert field.shape is not None
            return self.fields(node, path, field.shape)
        if kind in ("keys", "texts", "eligibility"):
            items = node.value if isinstance(node, yaml.SequenceNode) else [node]
            converted = [self.scalar(item, f"{path}[{i}]" if len(items) > 1 or
                                     isinstance(node, yaml.SequenceNode) else path,
                                     "text" if kind == "texts" else "key", field)
                         for i, item in enumerate(items)]
            if not items and not field.empty_ok:
                self.problems.problem(node, path, "the list is empty", "at least one entry")
            return [(item, value) for item, value in zip(items, converted, strict=True)]
        return self.scalar(node, path, kind, field)

    def scalar(self, node: yaml.Node, path: str, kind: str, field: Field) -> Any:
        return scalar(self.problems, node, path, kind, field, self.zone)

    def items(self, node: yaml.Node, path: str, field: Field
              ) -> list[tuple[yaml.Node, dict[str, Any] | None]] | None:
        """A list of mappings of one shape; a program is named by its id in the path."""
        shape = field.shape
        assert shape is not None
        if not isinstance(node, yaml.SequenceNode):
            self.problems.problem(node, path, f"{describe(node)} where a list is needed",
                                  f"a list of {shape.name}s, each starting with '- '")
            return None
        if field.required and not node.value:
            self.problems.problem(node, path, "the list is empty", f"at least one {shape.name}")
        return [(item, self.fields(item, program_at(index, item) if shape is PROGRAM
                                   else f"{path}[{index}]", shape))
                for index, item in enumerate(node.value)]

    def keyed(self, node: yaml.Node, path: str, shape: Shape) -> Keyed:
        """A mapping from slug keys to objects of `shape` (vocabularies, feeds)."""
        if not isinstance(node, yaml.MappingNode):
            self.problems.problem(node, path, f"{describe(node)} where a mapping is needed",
                                  "a mapping of slug -> {title: ..., ...}")
            return []
        entries = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            key = key if isinstance(key, str) else ""
            where = join(path, key_name(key))
            if not slug(self.problems, key_node, where, key, "key", "'phd'"):
                continue
            if key in seen:
                self.problems.problem(key_node, where, f"duplicate key {key!r}", "each key once")
                continue
            seen.add(key)
            values = self.fields(value_node, where, shape)
            if values is not None:
                entries.append((key_node, key, values))
        if not entries and not self.problems.errors:
            self.problems.problem(node, path, "no entries", "at least one entry")
        return entries

    def reminders(self, node: yaml.Node, path: str) -> tuple[dt.timedelta, ...] | None:
        """A list of durations before an event; an empty list turns reminders off."""
        problem = self.problems.problem
        if not isinstance(node, yaml.SequenceNode):
            problem(node, path, f"{describe(node)} where a list is needed",
                    f"a list like [P1D, PT2H], or [] for none: {dates.REMINDER_FORMS}")
            return None
        if len(node.value) > MAX_REMINDERS:
            # Each reminder is copied into every event of every feed the event is in.
            problem(node, path, f"{len(node.value):,} reminders",
                    f"at most {MAX_REMINDERS} reminders per event")
            return None
        found = []
        for index, item in enumerate(node.value):
            where = f"{path}[{index}]"
            if not isinstance(item, yaml.ScalarNode):
                problem(item, where, f"{describe(item)} where a duration is needed",
                        dates.REMINDER_FORMS)
                return None
            if not short(self.problems, item, where, dates.REMINDER_FORMS):
                return None
            try:
                found.append(dates.parse_reminder(item.value))
            except dates.DateSyntaxError as exc:
                problem(item, where, str(exc), dates.REMINDER_FORMS)
                return None
        return tuple(sorted(set(found), reverse=True))


def plain(entries: list[tuple[yaml.Node, Any]] | None) -> tuple[str, ...]:
    """The valid values of a `keys` or `texts` list, without their nodes."""
    return tuple(value for _, value in entries or [] if value is not None)
