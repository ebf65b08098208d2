"""The problem collector every section checker shares, and helpers for pointing at nodes."""

from __future__ import annotations

import re

import yaml

from deadlinecal.dataset.spec import MAX_ID_CHARS
from deadlinecal.errors import Problem, program_path, quoted

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_PLAIN_KEY = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_ID_CHARS}}}")
# A key that is not in the format is quoted this far: enough to spot a typo, too little to
# repeat a file that was never data (each line of a password file reads as a key).
KEY_EXCERPT_CHARS = 24


class Collector:
    """Remembers every problem of one file instead of stopping at the first."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

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


def is_slug(text: str) -> bool:
    """Whether `text` is a valid id or key: short, lower-case letters, digits and hyphens."""
    return len(text) <= MAX_ID_CHARS and SLUG.fullmatch(text) is not None


def program_at(index: int, node: yaml.Node | None) -> str:
    """The YAML path of a program: `programs[14] (google-step)` when its id is readable."""
    id_node = child(node, "id") if isinstance(node, yaml.MappingNode) else None
    readable = (id_node is not node and isinstance(id_node, yaml.ScalarNode)
                and isinstance(id_node.value, str) and is_slug(id_node.value))
    return program_path(index, id_node.value if readable else None)  # type: ignore[union-attr]


def child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key`, for pointing an error at it; the mapping if absent."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == key:
                return value_node  # type: ignore[no-any-return]
    return node


def item(node: yaml.Node | None, index: int) -> yaml.Node | None:
    """The `index`-th entry of a sequence node, for pointing an error at it."""
    if isinstance(node, yaml.SequenceNode) and index < len(node.value):
        return node.value[index]  # type: ignore[no-any-return]
    return node


def at(node: yaml.Node | None) -> tuple[int, int]:
    """Line and column, counting from 1, where `node` starts."""
    mark = node.start_mark if node is not None else None
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def key_name(key: str) -> str:
    """A key as written in a YAML path: itself when it is plain, else a short excerpt."""
    return key if _PLAIN_KEY.fullmatch(key) else quoted(key, KEY_EXCERPT_CHARS)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"the value {quoted(node.value)}"
