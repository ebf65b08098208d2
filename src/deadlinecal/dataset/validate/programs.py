"""The `programs:` list -> Program records: unique ids, declared terms, their windows."""

from __future__ import annotations

from typing import Any

import yaml

from deadlinecal.dataset.spec import PROGRAM
from deadlinecal.dataset.validate.collector import Collector, child, program_at
from deadlinecal.dataset.validate.values import plain
from deadlinecal.dataset.validate.vocabularies import Declared, check_terms
from deadlinecal.dataset.validate.windows import check_windows
from deadlinecal.model import FuzzyDate, PostingPattern, Program, Source, Window

PROGRAM_REQUIRED = tuple(f for f in PROGRAM.fields if f.required)


def check_programs(problems: Collector, vocabularies: Declared,
                   items: list[tuple[yaml.Node, dict[str, Any] | None]]
                   ) -> list[tuple[yaml.Node, Program]]:
    """Each valid program with its node; a program with a problem is left out."""
    built = []
    first_lines: dict[str, int] = {}
    for index, (node, values) in enumerate(items):
        if values is None:
            continue
        path = program_at(index, node)
        program_id = values.get("id")
        if program_id:
            if program_id in first_lines:
                problems.problem(child(node, "id"), f"{path}.id",
                                 f"duplicate program id {program_id!r} (first used on line "
                                 f"{first_lines[program_id]})", "a unique id")
            else:
                first_lines[program_id] = node.start_mark.line + 1
        for name, vocabulary in (("track", "tracks"), ("eligibility", "eligibility"),
                                 ("citizenship", "citizenship")):
            if name == "eligibility" and isinstance(values.get(name), dict):
                _check_rule(problems, vocabularies, child(node, name) or node,
                            f"{path}.{name}", values[name])
            else:
                check_terms(problems, vocabularies, node, path, values, name, vocabulary)
        windows = check_windows(problems, path, values.get("windows") or [])
        if any(values.get(f.name) is None for f in PROGRAM_REQUIRED):
            continue
        built.append((node, _program(values, windows, tuple(vocabularies["eligibility"]))))
    return built


def _check_rule(problems: Collector, vocabularies: Declared, node: yaml.Node, path: str,
                rule: dict[str, Any]) -> None:
    """Declared terms in `open_to` and `closed_to`, and no group in both."""
    for name in ("open_to", "closed_to"):
        check_terms(problems, vocabularies, node, path, rule, name, "eligibility")
    closed = {value: item for item, value in rule.get("closed_to") or [] if value}
    for _, value in rule.get("open_to") or []:
        if value in closed:
            problems.problem(closed[value], f"{path}.closed_to",
                             f"{value!r} is both open and closed",
                             "each group in open_to or closed_to, not both")


def _groups(raw: Any, groups: tuple[str, ...]
            ) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """The groups open to a program, those the source does not state, and whether it
    states anything: a mapping names open and closed groups (the rest are not stated), a
    plain list the open ones (the rest are closed), nothing states no group at all."""
    if isinstance(raw, dict):
        opened, closed = plain(raw.get("open_to")), plain(raw.get("closed_to"))
        return opened, tuple(g for g in groups if g not in opened and g not in closed), bool(
            opened or closed)
    if raw:
        return plain(raw), (), True
    return (), groups, False


def _program(values: dict[str, Any], windows: tuple[Window, ...],
             groups: tuple[str, ...]) -> Program:
    eligibility, not_stated, stated = _groups(values.get("eligibility"), groups)
    verified = values["last_verified"]
    return Program(
        id=values["id"],
        employer=values["employer"],
        program=values["program"],
        track=values["track"],
        short=values.get("short") or "",
        eligibility=eligibility,
        not_stated=not_stated,
        citizenship=tuple(value for _, value in values.get("citizenship") or []),
        pay=values.get("pay") or "",
        screens_for=values.get("screens_for") or "",
        link=values.get("link"),
        source=source_of(values["source"]) if values.get("source") else None,
        last_verified=getattr(verified, "earliest", verified),
        verified_month=isinstance(verified, FuzzyDate),
        notes=values.get("notes") or "",
        stated=frozenset({"eligibility"} if stated else set())
        | ({"citizenship"} if "citizenship" in values else set()),
        follow_up_days=values.get("follow_up_days"),
        windows=windows,
        cancelled=bool(values.get("cancelled")),
        reminders=values.get("reminders"),
        postings=_pattern(values.get("postings")),
    )


def source_of(values: dict[str, Any]) -> Source:
    return Source(name=values["name"], url=values.get("url"))


def _pattern(values: dict[str, Any] | None) -> PostingPattern | None:
    """A program's `postings:` mapping; alternatives are separated by '|'."""
    if not values or not values.get("employer"):
        return None

    def alternatives(text: str | None) -> tuple[str, ...]:
        return tuple(part.strip() for part in (text or "").split("|") if part.strip())

    return PostingPattern(employers=alternatives(values["employer"]),
                          titles=alternatives(values.get("title")))
