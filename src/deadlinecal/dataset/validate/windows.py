"""A program's `windows:` list -> Window records: keys, recurrence, dates in order."""

from __future__ import annotations

import re
from typing import Any

import yaml

from deadlinecal.dataset.validate.collector import Collector, child
from deadlinecal.model import FuzzyDate, Window

_YEAR_KEY = re.compile(r"(?:^|-)[0-9]{4}$")


def check_windows(problems: Collector, path: str,
                  items: list[tuple[yaml.Node, dict[str, Any] | None]]) -> tuple[Window, ...]:
    """The windows of the program at `path`; a window with a problem is left out."""
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
                problems.problem(node, f"{where}.key", "a program with several windows needs "
                                 "a key on each; a window that had none was 'main', so write "
                                 "key: main on it to keep its subscribed events",
                                 "a slug such as 'main' or 'summer-2027'")
                continue
            key = "main"
        if key in keys:
            problems.problem(child(node, "key"), f"{where}.key", f"duplicate window key "
                             f"{key!r}", "a key unique within the program")
            continue
        keys.add(key)
        window = _window(key, values)
        if window.recurs_yearly and not _YEAR_KEY.search(key):
            problems.problem(child(node, "key") if "key" in values else node, f"{where}.key",
                             f"recurring window key {key!r} does not end in a year",
                             "a key such as 'summer-2027', so the projection is 'summer-2028'")
            continue
        _check_order(problems, node, where, window)
        built.append(window)
    return tuple(built)


def _window(key: str, values: dict[str, Any]) -> Window:
    return Window(
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


def _check_order(problems: Collector, node: yaml.Node, where: str, window: Window) -> None:
    if window.opens is None:
        return
    for name in ("closes", "deadline"):
        later: FuzzyDate | None = getattr(window, name)
        if later is not None and later.latest < window.opens.earliest:
            problems.problem(child(node, name), f"{where}.{name}",
                             f"{name} ({later.wording}) is before opens "
                             f"({window.opens.wording})", "a date on or after the opening")
