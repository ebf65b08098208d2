"""The `include:` list: other data files, which must stay beside the including one."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

import yaml

from deadlinecal.dataset.validate.collector import Collector, at
from deadlinecal.errors import DataError, Problem, quoted


@dataclass(frozen=True, slots=True, kw_only=True)
class Include:
    """One entry of a data file's `include:` list, and where it is written."""

    file: str  # the including file
    entry: str  # the path as written, relative to the including file's folder
    line: int
    column: int
    path: str  # the YAML path: `include`, or `include[2]` in a list of several

    def refuse(self, message: str, expected: str) -> DataError:
        """A DataError pointing at this entry (for a file that cannot be included)."""
        return DataError([Problem(file=self.file, line=self.line, column=self.column,
                                  path=self.path, message=message, expected=expected)])


def check_includes(problems: Collector, entries: list[tuple[yaml.Node, str | None]]
                   ) -> tuple[Include, ...]:
    """Included files stay beside this one: a pull request could otherwise name any file
    on the machine that builds it. (The reader checks where symbolic links lead.)"""
    includes = []
    for index, (node, path) in enumerate(entries):
        if path is None:
            continue
        where = f"include[{index}]" if len(entries) > 1 else "include"
        line, column = at(node)
        includes.append(Include(file=problems.file, entry=path, line=line, column=column,
                                path=where))
        normal = posixpath.normpath(path) if path else ""
        if (not path or path.startswith(("/", "~")) or "\\" in path or ":" in path
                or normal == ".." or normal.startswith("../")
                or not normal.endswith((".yaml", ".yml"))):
            problems.problem(node, where, f"{quoted(path)} is not a data file beside this one",
                             "a relative path to a .yaml file in this folder or below, like "
                             "'more-programs.yaml'")
    return tuple(includes)
