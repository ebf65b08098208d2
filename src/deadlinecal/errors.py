"""Errors raised by the core. The CLI alone turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class DeadlinecalError(Exception):
    """Base class of every error the core raises on purpose."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong (or worth a warning) in a data file, with where it is."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    expected: str = ""
    severity: str = "error"

    def format(self) -> str:
        """Render as `file:line:col: error: path: message (expected ...)`."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text

    def sort_key(self) -> tuple[int, int, str]:
        return (self.line or 0, self.column or 0, self.path)


class DataError(DeadlinecalError):
    """A data file has one or more problems; all of them are carried, sorted by line."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(sorted(problems, key=Problem.sort_key))
        super().__init__("\n".join(p.format() for p in self.problems))


class OutputError(DeadlinecalError):
    """Feeds could not be written; the previous output is left as it was."""


class FilterError(DeadlinecalError):
    """A filter names a term the dataset does not declare (a usage error)."""
