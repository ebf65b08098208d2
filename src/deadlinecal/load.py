"""Bytes of a data file -> a YAML node tree, safely, with every position kept."""

from __future__ import annotations

import re
from typing import ClassVar

import yaml

from .errors import DataError, Problem

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32
_BRACKETS = re.compile(r"[][{}]")
_AMPERSAND = re.compile(r"&\S")

try:  # libyaml's parser is several times faster; the pure-Python one gives the same nodes.
    _BaseLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _PlainLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader that types only null, true/false and decimal integers.

    YAML 1.1 would read `no` as false, `2026-10` and `12:30` as numbers and `2026-10-14` as
    a date; we keep them as text so each field decides what it accepts.
    """

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {}


_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


def parse_yaml(data: bytes, *, file: str) -> yaml.Node:
    """Parse one YAML document into nodes.

    Raises DataError for input that is too large, not UTF-8, empty, not YAML, more than one
    document, uses anchors/aliases, or nests deeper than any valid data file does.
    """
    if len(data) > MAX_INPUT_BYTES:
        raise _error(file, None, None, f"the file is {len(data):,} bytes; the limit is "
                     f"{MAX_INPUT_BYTES:,}", "a smaller file, or split it with include")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _error(file, line, None, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} "
                     f"at offset {exc.start})", "a file saved as UTF-8") from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _error(file, None, None, "the file is empty", "a mapping with format, dataset, "
                     "tracks, eligibility and programs")
    _check_depth(text, file)
    anchored = _may_have_anchor(text)
    # libyaml reads the UTF-8 bytes itself (a str would be encoded back to UTF-8); dropping
    # the decoded text first matters for big files: one emoji makes it 4 bytes a character.
    del text
    loader = _PlainLoader(data)
    try:
        node: yaml.Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(filter(None, [exc.context, exc.problem]))
        raise _error(
            file,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            f"this is not valid YAML: {message}",
            "valid YAML (check indentation, quotes and colons)",
        ) from None
    except yaml.YAMLError as exc:
        raise _error(file, None, None, f"this is not valid YAML: {exc}", "valid YAML") from None
    finally:
        loader.dispose()
    if node is None:
        raise _error(file, None, None, "the file is empty", "a mapping of data")
    if anchored:
        _refuse_aliases(node, file)
    return node


def _check_depth(text: str, file: str) -> None:
    """Refuse absurd nesting before the parser recurses into it."""
    depth = 0
    deepest = 0
    # Only the brackets matter; finding them with a regex keeps this linear at C speed.
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        else:
            depth = max(0, depth - 1)
    indents = {len(line) - len(line.lstrip(" -")) for line in text.splitlines() if line.strip()}
    if deepest > MAX_DEPTH or len(indents) > MAX_DEPTH * 2:
        raise _error(file, None, None, "the data nests far deeper than any data file needs",
                     f"at most {MAX_DEPTH} levels")


def _may_have_anchor(text: str) -> bool:
    """False when no `&name` follows a line start, a space or a flow indicator.

    Without an anchor no alias can point anywhere, so the walk over every node is skipped.
    `AT&T` or `R & D` in text are not anchors; text that only looks like one costs the walk.
    """
    return any(match.start() == 0 or text[match.start() - 1] in " \t\r\n[{,:"
               for match in _AMPERSAND.finditer(text))


def _refuse_aliases(root: yaml.Node, file: str) -> None:
    """Anchors let a few lines expand to billions of values; data files never need them."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise _error(file, mark.line + 1, mark.column + 1,
                         "anchors and aliases (&name, *name) are not supported",
                         "each value written out in full")
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _error(file: str, line: int | None, column: int | None, message: str,
           expected: str) -> DataError:
    return DataError([Problem(file=file, line=line, column=column, path="", message=message,
                              expected=expected)])
