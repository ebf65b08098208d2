"""Bytes of a data file -> a YAML node tree, safely, with every position kept."""

from __future__ import annotations

import codecs
import re
from sys import intern
from typing import Any, ClassVar

import yaml

from deadlinecal.errors import DataError, Problem

# About 80,000 programs written like the default data file (the 50,000-program benchmark
# file fits).
MAX_INPUT_BYTES = 64 * 1024 * 1024
TOO_LARGE = (f"the file is larger than the limit of {MAX_INPUT_BYTES:,} bytes",
             "a smaller file; split the dataset in two")
# A valid file nests 5 levels (programs[].windows[].opens); anything far deeper is hostile.
MAX_DEPTH = 32
# About 40 values per program: room for 100,000 programs (nodes keep only line and column).
MAX_NODES = 4_000_000
# Explicit tags are refused except the two that only say "text" (`! 2026`, `!!str 2026`).
_ALLOWED_TAGS = (None, "!", "tag:yaml.org,2002:str")

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
    document, uses anchors/aliases or tags, nests deeper than MAX_DEPTH or holds more than
    MAX_NODES values. Every refusal happens while reading parser events, before any node is
    built below it, so hostile input costs time and memory in proportion to what was read.
    """
    if len(data) > MAX_INPUT_BYTES:
        raise _error(file, None, None, *TOO_LARGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The decoder counts from after a byte order mark.
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        offset = exc.start + bom
        raise _error(file, *_position(data, offset, bom), f"the file is not UTF-8 (byte "
                     f"0x{data[offset]:02x} at offset {offset})",
                     "a file saved as UTF-8") from None
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        raise _error(file, None, None, "the file is empty", "a mapping with format, dataset, "
                     "tracks, eligibility and programs")
    loader = None
    try:
        loader = _PlainLoader(text)  # the pure-Python reader checks characters right here
        node = _compose(loader, file)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = ", ".join(filter(None, [exc.context, exc.problem]))
        start = exc.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            message += f" (it began on line {start.line + 1})"
        if "maximum nesting depth" in message:  # libyaml's own limit, met before ours
            raise _error(file, mark.line + 1 if mark else None,
                         mark.column + 1 if mark else None,
                         f"the data nests more than {MAX_DEPTH} levels deep",
                         f"at most {MAX_DEPTH} levels; a valid data file needs 5") from None
        raise _error(
            file,
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            f"this is not valid YAML: {message}",
            "valid YAML (check indentation, quotes and colons)",
        ) from None
    except yaml.reader.ReaderError as exc:
        # A raw control character in the file itself; YAML refuses it before parsing.
        at = exc.position
        raise _error(file, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at),
                     f"the file contains the control character U+{exc.character:04X}, which "
                     "YAML does not allow", "printable text; delete the character") from None
    except yaml.YAMLError as exc:
        raise _error(file, None, None, f"this is not valid YAML: {exc}", "valid YAML") from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise _error(file, None, None, "the file is empty", "a mapping of data")
    return node


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_RESOLVERS = _PlainLoader.yaml_implicit_resolvers
# Keys and short values (dates, ids, vocabulary keys) repeat: one string object each.
_SHARED_UP_TO = 24


class _Node:
    """Slotted nodes that are their own start mark: libyaml's marks carry the buffer,
    name and offsets, twice a node, and were most of the memory a large file took."""

    __slots__ = ()
    end_mark = None

    @property
    def start_mark(self) -> Any:
        return self  # has .line and .column, as a mark does


class _Scalar(_Node, yaml.ScalarNode):  # type: ignore[misc,override]
    __slots__ = ("column", "line", "style", "tag", "value")

    def __init__(self, tag: str, value: str, line: int, column: int, style: str | None
                 ) -> None:
        self.tag, self.value, self.line, self.column, self.style = (
            tag, value, line, column, style)


class _Sequence(_Node, yaml.SequenceNode):  # type: ignore[misc,override]
    __slots__ = ("column", "flow_style", "line", "tag", "value")

    def __init__(self, line: int, column: int, flow_style: bool | None) -> None:
        self.tag, self.value, self.line, self.column, self.flow_style = (
            _SEQ, [], line, column, flow_style)


class _Mapping(_Node, yaml.MappingNode):  # type: ignore[misc,override]
    __slots__ = ("column", "flow_style", "line", "tag", "value")

    def __init__(self, line: int, column: int, flow_style: bool | None) -> None:
        self.tag, self.value, self.line, self.column, self.flow_style = (
            _MAP, [], line, column, flow_style)




def _compose(loader: Any, file: str) -> yaml.Node | None:
    """Build the node tree from parser events with an explicit stack, never recursing.

    PyYAML's own composers (the Cython one and the pure-Python one) recurse once per level
    of nesting and expand nothing, but they accept aliases and any depth; we check both,
    exactly, on the event that would open the offending node. The nodes keep only where
    they start (line and column): libyaml's two marks per node were most of the memory a
    large file took.
    """
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        return None
    loader.get_event()  # DocumentStart
    root: list[Any] = []  # the document's one node, once it is read
    # Open collections, innermost last; each one's children so far (a mapping's keys and
    # values alternate until it ends) and the children of the innermost, `children`.
    stack: list[tuple[Any, list[Any]]] = []
    children: list[Any] = root
    count = 0
    # A key and its value share a line: one int object for both (an int is 28 bytes).
    last_line = -1
    get_event, new = loader.get_event, object.__new__
    resolvers, shared, allowed = _RESOLVERS.get, _SHARED_UP_TO, _ALLOWED_TAGS
    scalar_event, sequence_start, mapping_start = (
        yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)
    sequence_end, mapping_end = yaml.SequenceEndEvent, yaml.MappingEndEvent
    # The checks of one event come in this order: an anchor, the count, the tag, the depth.
    while True:
        event: Any = get_event()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None:
                raise _anchor_error(file, event)
            count += 1
            tag = event.tag
            if count > MAX_NODES or (tag is not None and tag not in allowed):
                raise _node_error(file, event, count)
            value = event.value
            if len(value) <= shared:
                value = intern(value)
            # A plain scalar is typed by the resolvers; "!", "!!str" and quotes mean text.
            if tag is None and event.implicit[0]:
                tag = _STR
                for candidate, pattern in resolvers(value[:1], ()):
                    if pattern.match(value):
                        tag = candidate
                        break
            else:
                tag = _STR
            # Built without a Python __init__: a large file makes hundreds of thousands.
            node = new(_Scalar)
            mark = event.start_mark
            line = mark.line
            if line == last_line:
                line = last_line
            else:
                last_line = line
            node.tag, node.value, node.line, node.column, node.style = (
                tag, value, line, mark.column, event.style)
            children.append(node)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None:
                raise _anchor_error(file, event)
            count += 1
            if count > MAX_NODES or event.tag not in allowed:
                raise _node_error(file, event, count)
            if len(stack) >= MAX_DEPTH:
                mark = event.start_mark
                raise _error(file, mark.line + 1, mark.column + 1,
                             f"the data nests more than {MAX_DEPTH} levels deep",
                             f"at most {MAX_DEPTH} levels; a valid data file needs 5")
            mark = event.start_mark
            collection: Any = (_Sequence if kind is sequence_start else _Mapping)(
                mark.line, mark.column, event.flow_style)
            children.append(collection)
            stack.append((collection, children))
            children = collection.value if kind is sequence_start else []
        elif kind is mapping_end:
            collection, outer = stack.pop()
            pairs = iter(children)
            collection.value = list(zip(pairs, pairs, strict=True))
            children = outer
        elif kind is sequence_end:
            children = stack.pop()[1]
        elif kind is yaml.DocumentEndEvent:
            break
        else:  # an alias
            raise _anchor_error(file, event)
    if not loader.check_event(yaml.StreamEndEvent):
        mark = loader.peek_event().start_mark
        raise _error(file, mark.line + 1, mark.column + 1,
                     "the file holds more than one YAML document",
                     "one document (remove the second '---')")
    return root[0] if root else None


def _anchor_error(file: str, event: Any) -> DataError:
    mark = event.start_mark
    return _error(file, mark.line + 1, mark.column + 1,
                  "anchors and aliases (&name, *name) are not supported",
                  "each value written out in full")


def _node_error(file: str, event: Any, count: int) -> DataError:
    """One value too many, or a tag that is not text."""
    mark = event.start_mark
    if count > MAX_NODES:
        return _error(file, mark.line + 1, mark.column + 1,
                      f"the file holds more than {MAX_NODES:,} values", "a smaller file")
    return _error(file, mark.line + 1, mark.column + 1,
                  f"YAML tags such as {_short_tag(event.tag)!r} are not supported",
                  "plain values without a !tag")


def _position(data: bytes, offset: int, start: int = 0) -> tuple[int, int]:
    """The line and column (in characters, counting from 1) of the byte at `offset`; the
    text begins at `start` (after a byte order mark)."""
    start = max(start, data.rfind(b"\n", 0, offset) + 1)
    before = data[start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(before) + 1


def _short_tag(tag: str) -> str:
    """Write a tag the way the file spelled it: `!!int`, not `tag:yaml.org,2002:int`."""
    return tag.replace("tag:yaml.org,2002:", "!!", 1)


def _error(file: str, line: int | None, column: int | None, message: str,
           expected: str) -> DataError:
    return DataError([Problem(file=file, line=line, column=column, path="", message=message,
                              expected=expected)])
