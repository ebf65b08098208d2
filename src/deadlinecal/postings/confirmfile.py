"""Confirming a curated file: its text with the openings a posting list confirms written in.

The edit changes nothing but each confirmed `opens:` value, and the new text must pass
the checks `build` makes before it is returned; confirm.py decides which openings are
confirmed. Pure: bytes in, bytes out (inplace.py writes them).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from deadlinecal.dataset.confirm import Candidate, Confirmation, confirmations
from deadlinecal.errors import DataError, OutputError, Problem

if TYPE_CHECKING:
    from deadlinecal.dataset.validate import Include
    from deadlinecal.pipeline import Read

# The loader parse_yaml builds on: its positions are the ones the nodes carry.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirmed:
    """A curated file's new bytes (the old ones when nothing matched) and what changed."""

    data: bytes
    found: tuple[Confirmation, ...]


def confirm_file(data: bytes, *, file: str, candidates: Iterable[Candidate],
                 read: Read) -> Confirmed:
    """The curated file `file` (its bytes `data`) with the openings `candidates` confirm.

    The new text is checked as `build` checks the file (the same validator; its includes
    are read with `read`), and must say what the records say, before it is returned.
    Raises DataError (the file or its new text is invalid) or OutputError (a value written
    in a way this edit cannot replace).
    """
    from deadlinecal.dataset.validate import load_dataset
    from deadlinecal.pipeline import load_selection

    dataset = load_dataset(data, file=file).dataset
    found = tuple(confirmations(dataset, candidates))
    if not found:
        return Confirmed(data=data, found=found)
    new = rewrite(data, file=file, found=found)

    def edited(path: str, included_by: Include | None = None, /) -> bytes:
        if included_by is None and path == file:
            return new
        return read(path) if included_by is None else read(path, included_by)

    try:
        load_selection([file], edited)
    except DataError as exc:
        raise DataError([*exc.problems, Problem(
            file=file, line=None, column=None, path="",
            message="with the confirmed openings written in, `build` would refuse the file, "
            "so it is not edited", expected="a file `build` accepts on its own")]) from None
    rewritten = {p.id: p for p in load_dataset(new, file=file).dataset.programs}
    for c in found:
        opens = rewritten[c.program_id].windows[c.index].opens
        if opens is None or not opens.exact or opens.earliest != c.posting.day:
            raise OutputError(f"cannot rewrite the opens of {c.program_id} in {file}; "
                              f"write opens: \"{c.posting.day.isoformat()}\" by hand")
    return Confirmed(data=new, found=found)


def rewrite(data: bytes, *, file: str, found: Sequence[Confirmation]) -> bytes:
    """The curated file's bytes with each confirmed `opens:` value replaced, nothing else.

    Comments, line breaks, quoting and a byte order mark elsewhere stay byte for byte: the
    parser's events give each value's exact span, however it is written (over several
    lines, after a comment holding a YAML line break such as U+2028). Raises DataError when
    the file cannot be parsed.
    """
    from deadlinecal.dataset.load import parse_yaml

    if not found:
        return data
    root = parse_yaml(data, file=file)
    programs = _value(root, "programs")
    wanted: dict[tuple[int, int], str] = {}
    by_program = {c.program_id: c for c in found}
    for program in programs.value if isinstance(programs, yaml.SequenceNode) else ():
        ident = _value(program, "id")
        confirmation = by_program.get(ident.value if isinstance(ident, yaml.ScalarNode) else "")
        windows = _value(program, "windows")
        if confirmation is None or not isinstance(windows, yaml.SequenceNode):
            continue
        opens = _value(windows.value[confirmation.index], "opens")
        if isinstance(opens, yaml.ScalarNode):
            where = (opens.start_mark.line, opens.start_mark.column)
            wanted[where] = f'"{confirmation.posting.day.isoformat()}"'
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
    text = data[len(bom):].decode("utf-8")  # what parse_yaml read: positions match
    for start, end, replacement in reversed(_spans(text, wanted)):
        text = text[:start] + replacement + text[end:]
    return bom + text.encode("utf-8")


def _spans(text: str, wanted: dict[tuple[int, int], str]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of each scalar starting at a wanted (line, column).

    Only for text parse_yaml accepted (its limits hold), so the plain parser may read it.
    The end of a block scalar (`|`, `>`) takes the line breaks after it; they stay.
    """
    spans = []
    for event in yaml.parse(text, Loader=_LOADER):
        first, last = event.start_mark, event.end_mark
        if not isinstance(event, yaml.ScalarEvent) or first is None or last is None:
            continue
        replacement = wanted.get((first.line, first.column))
        if replacement is not None:
            start, end = first.index, last.index
            if event.style in ("|", ">"):
                end = start + len(text[start:end].rstrip())
            spans.append((start, end, replacement))
    return spans


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return None
