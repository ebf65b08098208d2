"""The whole file: `format`, the `dataset:` block, then each section's checker in turn."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from deadlinecal.dataset import dates
from deadlinecal.dataset.spec import FORMAT_VERSION, ROOT
from deadlinecal.dataset.validate.collector import Collector, at, child
from deadlinecal.dataset.validate.feeds import check_feeds
from deadlinecal.dataset.validate.includes import Include, check_includes
from deadlinecal.dataset.validate.programs import check_programs, source_of
from deadlinecal.dataset.validate.scalars import short
from deadlinecal.dataset.validate.values import Values, plain
from deadlinecal.dataset.validate.vocabularies import declared
from deadlinecal.dataset.validate.warnings import warn_follow_ups
from deadlinecal.errors import Problem
from deadlinecal.model import DEFAULT_REMINDERS, Dataset, ImportRecord

DEFAULT_FOLLOW_UP_DAYS = 14
DEFAULT_REFRESH_HOURS = 12
_ZONE = "an IANA zone like Europe/Paris"


@dataclass(frozen=True, slots=True, kw_only=True)
class Checked:
    """A valid dataset and where its parts are written, for later checks and warnings."""

    dataset: Dataset
    program_nodes: tuple[yaml.Node, ...]
    feed_employers: tuple[tuple[str, Problem], ...]
    includes: tuple[Include, ...]
    id_at: tuple[int, int]


def check_dataset(problems: Collector, root: yaml.Node) -> Checked | None:
    """The dataset of the file whose top node is `root`; None when `problems` has errors."""
    values = Values(problems)
    for node in _zone_nodes(root):  # known before any deadline is parsed
        values.zone = _zone(problems, node) or values.zone
    top = values.fields(root, "", ROOT)
    if top is None:
        return None
    version = top.get("format")
    if version is not None and version != FORMAT_VERSION:
        problems.problem(child(root, "format"), "format",
                         f"format {version} is not supported", f"format: {FORMAT_VERSION}")
    vocabularies = declared(top)
    includes = check_includes(problems, top.get("include") or [])
    meta = top.get("dataset") or {}
    programs = check_programs(problems, vocabularies, top.get("programs") or [])
    employers: list[tuple[str, Problem]] = []
    feeds = check_feeds(problems, vocabularies, top.get("feeds") or [], employers)
    cycle = meta.get("cycle") or {}
    if cycle.get("starts") and cycle.get("ends") and cycle["ends"] < cycle["starts"]:
        problems.problem(child(child(child(root, "dataset"), "cycle"), "ends"),
                         "dataset.cycle.ends", "the cycle ends before it starts",
                         "a day on or after dataset.cycle.starts")
    if problems.errors:
        return None
    dataset = Dataset(
        id=meta["id"],
        title=meta["title"],
        description=meta.get("description") or "",
        cycle_starts=cycle["starts"],
        cycle_ends=cycle["ends"],
        source=source_of(meta["source"]),
        updated=meta["updated"],
        timezone=values.zone,
        follow_up_days=meta.get("follow_up_days") or DEFAULT_FOLLOW_UP_DAYS,
        refresh_hours=meta.get("refresh_hours") or DEFAULT_REFRESH_HOURS,
        tracks=tuple(vocabularies["tracks"].values()),
        eligibility=tuple(vocabularies["eligibility"].values()),
        citizenship=tuple(vocabularies["citizenship"].values()),
        feeds=feeds,
        programs=tuple(program for _, program in programs),
        includes=plain(top.get("include")),
        file=problems.file,
        base_url=meta.get("base_url"),
        reminders=(meta["reminders"] if meta.get("reminders") is not None
                   else DEFAULT_REMINDERS),
        imported=(ImportRecord(**meta["imported"]),) if meta.get("imported") else (),
    )
    nodes = tuple(node for node, _ in programs)
    warn_follow_ups(problems, dataset, nodes)
    return Checked(dataset=dataset, program_nodes=nodes, feed_employers=tuple(employers),
                   includes=includes, id_at=at(child(child(root, "dataset"), "id")))


def _zone_nodes(root: yaml.Node) -> list[yaml.ScalarNode]:
    """Each `dataset.timezone` value (a duplicated key gives several)."""
    if not isinstance(root, yaml.MappingNode):
        return []
    return [value for key, block in root.value
            if key.value == "dataset" and isinstance(block, yaml.MappingNode)
            for inner, value in block.value
            if inner.value == "timezone" and isinstance(value, yaml.ScalarNode)]


def _zone(problems: Collector, node: yaml.ScalarNode) -> str | None:
    """The dataset's default zone, if it is one."""
    if not short(problems, node, "dataset.timezone", _ZONE):
        return None
    try:
        dates.load_zone(node.value)
    except dates.DateSyntaxError as exc:
        problems.problem(node, "dataset.timezone", str(exc), _ZONE)
        return None
    return node.value  # type: ignore[no-any-return]
