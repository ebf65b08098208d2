"""Errors raised by the core. The CLI alone turns them into messages and exit codes."""

from __future__ import annotations

from dataclasses import dataclass

# Longest excerpt of a user's value quoted in a message; valid keys and ids are shorter.
EXCERPT_CHARS = 40


def escape(text: str) -> str:
    """`text` with every character a terminal or log viewer could act on written as an
    escape (ESC as \\x1b, a line break as \\x0a, U+202E as \\u202e): messages quote keys,
    values and file names from the data and the command line."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def escape_lines(text: str) -> str:
    """`escape` for a message of several lines: the line breaks stay."""
    return "\n".join(escape(line) for line in text.split("\n"))


def _escaped(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def quoted(value: str, limit: int = EXCERPT_CHARS) -> str:
    """`value` in quotes for a message, escaped, and cut short with "…" past `limit`
    characters, so a message never repeats a whole hostile value (or a file it came from)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


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
        """Render as `file:line:col: error: path: message (expected ...)`, on one line.

        A problem about a whole file (missing, empty, too large) has no line: `file: error:`.
        Every character a terminal could act on is escaped (see `escape`).
        """
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
        return escape(text)

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


def program_path(index: int, program_id: str | None) -> str:
    """The YAML path of the `index`-th program, naming it by its id when it has a readable
    one: `programs[14] (google-step)`, so a message says which program without counting."""
    return f"programs[{index}] ({program_id})" if program_id else f"programs[{index}]"
