"""The vocabularies (tracks, eligibility, citizenship), and terms used against them."""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from ..model import Vocabulary
from .collector import Collector, child
from .values import Keyed

NAMES = ("tracks", "eligibility", "citizenship")
Declared = dict[str, dict[str, Vocabulary]]


def declared(top: dict[str, Any]) -> Declared:
    """Each vocabulary's terms by key, in the order the file writes them."""
    return {name: {key: Vocabulary(key=key, title=values.get("title") or key,
                                   description=values.get("description") or "")
                   for key, values in _entries(top.get(name))}
            for name in NAMES}


def _entries(keyed: Keyed | None) -> list[tuple[str, dict[str, Any]]]:
    return [(key, values) for _, key, values in keyed or []]


def check_terms(problems: Collector, vocabularies: Declared, node: yaml.Node, path: str,
                values: dict[str, Any], name: str, vocabulary: str) -> None:
    """Refuse terms of `values[name]` that `vocabulary` does not declare (they become None)."""
    terms = vocabularies.get(vocabulary, {})
    raw = values.get(name)
    entries = raw if isinstance(raw, list) else [(child(node, name), raw)]
    for index, (item_node, key) in enumerate(entries):
        if key is None or key in terms:
            continue
        where = f"{path}.{name}" + (f"[{index}]" if isinstance(raw, list) else "")
        close = difflib.get_close_matches(key, list(terms), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        # The key passed the slug check, so it can be shown as it would be written.
        add = f"add {key}: {{title: …}} under"
        valid = (f"one of {', '.join(terms)}, or {add} {vocabulary}:" if terms else
                 f"a declared term; none is declared: {add} a top-level {vocabulary}: key")
        problems.problem(item_node, where, f"{key!r} is not a declared {name} term{hint}",
                         valid)
        if isinstance(raw, list):
            raw[index] = (item_node, None)
    if not isinstance(raw, list) and raw is not None and raw not in terms:
        values[name] = None
