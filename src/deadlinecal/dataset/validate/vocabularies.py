"""The vocabularies (tracks, eligibility, citizenship), and terms used against them."""

from __future__ import annotations

import difflib
from typing import Any

import yaml

from deadlinecal.dataset.validate.collector import KEY_EXCERPT_CHARS, SLUG, Collector, child
from deadlinecal.dataset.validate.values import Keyed
from deadlinecal.errors import quoted
from deadlinecal.model import Vocabulary

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
    if isinstance(raw, list):
        entries = raw
    elif raw is None or raw in terms:
        return  # the usual case: no node to look up
    else:
        entries = [(child(node, name), raw)]
    for index, (item_node, key) in enumerate(entries):
        if key is None or key in terms:
            continue
        where = f"{path}.{name}" + (f"[{index}]" if isinstance(raw, list) else "")
        close = closest(key, list(terms))
        hint = f"; did you mean {close!r}?" if close else ""
        if SLUG.fullmatch(key):
            add = f"add {key}: {{title: …}} under"
            valid = (f"one of {', '.join(terms)}, or {add} {vocabulary}:" if terms else
                     f"a declared term; none is declared: {add} a top-level {vocabulary}: key")
        else:  # not a key at all, so not one to declare either
            valid = (f"one of {', '.join(terms)}; " if terms else "a declared term; ") + (
                "terms are written in lower-case letters, digits and hyphens")
        problems.problem(item_node, where, f"{quoted(key, KEY_EXCERPT_CHARS)} is not a "
                         f"declared {name} term{hint}", valid)
        if isinstance(raw, list):
            raw[index] = (item_node, None)
    if not isinstance(raw, list) and raw is not None and raw not in terms:
        values[name] = None


def closest(written: str, terms: list[str]) -> str | None:
    """The declared term `written` most likely means: the same letters in another case or
    with spaces or underscores for hyphens ("Quant", "Big_Tech"), else the closest spelling."""
    folded = "-".join(written.casefold().replace("_", " ").split())
    by_fold = {term.casefold(): term for term in terms}
    if folded in by_fold:
        return by_fold[folded]
    close = difflib.get_close_matches(folded, list(by_fold), n=1)
    return by_fold[close[0]] if close else None
