"""The docs are tested against the interface: commands, options, fields, examples and links.

The README is what a student or a careers office reads first; the rest lives in `docs/`,
`FORMAT-SPEC.md` and `CONTRIBUTING.md`, all reachable from it by links. Run this module
(`python -m tests.test_docs`) to regenerate the field reference in FORMAT-SPEC.md from
`spec.py`.
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.dataset.spec import FEED, FILTER, TERM, Field, Shape
from deadlinecal.dataset.spec import ROOT as FORMAT
from deadlinecal.dataset.validate import load_dataset

from .conftest import ROOT

README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
FORMAT_SPEC = ROOT / "FORMAT-SPEC.md"
MAX_README_LINES = 260
# The first two commands of the README, exactly as `.ci/run` and new users expect them.
INSTALL = "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/deadlinecal build"
TEST = "bash scripts/test"
# Files an example expects beside the data (the posting list `curl` would download).
EXAMPLE_FILES = {"listings.json": ROOT / "tests" / "postings" / "simplify-2026-01.json"}
# Commands that run until stopped; tests/test_serve.py covers them.
LONG_RUNNING = ("deadlinecal serve",)


def documents() -> list[Path]:
    """Every document of the project: the README, the root .md files and docs/."""
    return sorted({README_PATH, *ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md")})


def fenced(text: str, *languages: str) -> list[str]:
    pattern = "|".join(re.escape(language) for language in languages)
    return re.findall(rf"^[ \t]*```(?:{pattern})\n(.*?)^[ \t]*```", text, flags=re.S | re.M)


def links(text: str) -> list[str]:
    """Targets of the Markdown links in `text` (inline links; code blocks left out)."""
    prose = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)
    return re.findall(r"\]\(([^)\s]+)\)", prose)


def relative(target: str) -> bool:
    return not re.match(r"[a-z][a-z0-9+.-]*:", target, flags=re.I)


def reachable() -> list[Path]:
    """The README and every document it links to, directly or through another document."""
    seen = [README_PATH]
    for doc in seen:
        for target in links(doc.read_text(encoding="utf-8")):
            path = target.split("#", 1)[0]
            if not relative(target) or not path.endswith(".md"):
                continue
            linked = (doc.parent / path).resolve()
            if linked.is_file() and linked not in seen:
                seen.append(linked)
    return seen


def documented() -> str:
    return "\n".join(doc.read_text(encoding="utf-8") for doc in reachable())


def slugs(text: str) -> set[str]:
    """GitHub's anchors for the headings of a Markdown text."""
    found = set()
    prose = re.sub(r"^[ \t]*```.*?^[ \t]*```", "", text, flags=re.S | re.M)
    for heading in re.findall(r"^#+ (.+)$", prose, flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def commands(group: click.Group, prefix: str = "deadlinecal") -> Iterator[
        tuple[str, click.Command]]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def all_fields(shape: Shape) -> set[str]:
    names = set()
    for field in shape.fields:
        names.add(field.name)
        if field.shape is not None:
            names |= all_fields(field.shape)
    return names


def shapes() -> list[Shape]:
    """Every shape of the format, each once, in the order a reader meets them."""
    found: list[Shape] = []

    def visit(shape: Shape) -> None:
        if shape in found:
            return
        found.append(shape)
        for field in shape.fields:
            if field.shape is not None:
                visit(field.shape)
            if field.kind == "vocabulary":
                visit(TERM)
            if field.kind == "feeds":
                visit(FEED)

    visit(FORMAT)
    return found


# How the README's table of required fields and the field reference name each shape.
SHAPE_TITLES = {
    FORMAT.name: "top level",
    "dataset": "`dataset`",
    "cycle": "`cycle`",
    "source": "`source`",
    "term": "a term of `tracks`, `eligibility`, `citizenship`",
    "feed": "a feed under `feeds`",
    "filter": "a feed's `filter`",
    "program": "a program",
    "eligibility": "a program's `eligibility` (as a mapping)",
    "window": "a window",
    "postings": "a program's `postings`",
    "imported": "`imported` (written by `import simplify`)",
}


def title(shape: Shape) -> str:
    """How the README's table and the field reference name a shape (a new one: `name`)."""
    return SHAPE_TITLES.get(shape.name, f"`{shape.name}`")


# What "required" means where validate.py, not spec.py, decides.
REQUIRED_NOTES = {
    ("window", "key"): "with several windows",
    ("program", "eligibility"): "warned when it states nothing",
    ("program", "citizenship"): "warned when left out",
}
KINDS = {
    "text": "text", "texts": "list of texts", "slug": "slug", "int": "whole number",
    "bool": "`true`/`false`", "day": "day", "verified": "day or month", "fuzzy": "fuzzy date",
    "moment": "fuzzy date or time", "duration": "duration", "url": "http(s) link",
    "object": "mapping", "list": "list", "vocabulary": "key → term", "feeds": "key → feed",
    "reminders": "list of ISO 8601 durations",
}


def kind(field: Field) -> str:
    if field.kind in ("key", "keys"):
        described = f"{'key' if field.kind == 'key' else 'list of keys'} of `{field.vocab}`"
    elif field.kind == "eligibility":
        described = "`{open_to, closed_to}`, or list of keys of `eligibility`"
    else:
        described = KINDS.get(field.kind, field.kind)
    if field.minimum is not None and field.maximum is not None:
        described += f", {field.minimum}–{field.maximum}"
    return described


def field_reference() -> str:
    """The field reference of FORMAT-SPEC.md, generated from spec.py."""
    parts = ["<!-- fields:start -->\n<!-- Generated from src/deadlinecal/dataset/spec.py by "
             "`python -m tests.test_docs`; edit spec.py, not this table. -->\n"]
    for shape in shapes():
        heading = title(shape)
        parts.append(f"\n### {heading[0].upper()}{heading[1:]}\n\n{shape.doc}\n\n"
                     "| field | required | value | what |\n|---|---|---|---|\n")
        for field in shape.fields:
            required = "**required**" if field.required else REQUIRED_NOTES.get(
                (shape.name, field.name), "")
            doc = field.doc.replace("|", "\\|")
            parts.append(f"| `{field.name}` | {required} | {kind(field)} | {doc} |\n")
    parts.append("<!-- fields:end -->")
    return "".join(parts)


FIELDS_BLOCK = re.compile(r"<!-- fields:start -->.*?<!-- fields:end -->", re.S)


def required_table() -> dict[str, tuple[set[str], set[str]]]:
    """The README's table of required fields: part -> (required, optional)."""
    block = README.split("<!-- required-fields -->\n", 1)[1].split("\n\n", 1)[0]
    rows = {}
    for line in block.splitlines()[2:]:
        part, required, optional = (cell.strip() for cell in line.strip("|").split("|"))
        rows[part] = (set(re.findall(r"`([^`]+)`", required)),
                      set(re.findall(r"`([^`]+)`", optional)))
    return rows


def mentions(text: str, word: str) -> bool:
    """Whether `word` (a command or a flag) occurs in `text` whole: `-o` is not in `--as-of`."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def undocumented(text: str) -> list[str]:
    """The commands, and each command's flags (long and short), that `text` never names."""
    missing = []
    for name, command in [("deadlinecal", main), *commands(main)]:
        if not mentions(text, name):
            missing.append(name)
        for param in command.params:
            if isinstance(param, click.Option):
                missing += [f"{name} {flag}" for flag in (*param.opts, *param.secondary_opts)
                            if not mentions(text, flag)]
    return missing


def without(text: str, word: str) -> str:
    return re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", "", text)


class TestInterface:
    def test_mentions_every_command_and_its_options(self) -> None:
        assert len(list(commands(main))) > 8  # import simplify is reached through its group
        assert undocumented(documented()) == []

    @pytest.mark.parametrize("flags", [("-o", "--output"), ("-o",), ("--output",), ("--as-of",),
                                       ("--max-age",), ("--strict",)])
    def test_a_flag_deleted_from_the_docs_is_reported(self, flags: tuple[str, ...]) -> None:
        text = documented()
        for flag in flags:
            text = without(text, flag)
        assert "-o" in text  # still inside `--as-of`: a substring test would pass
        missing = undocumented(text)
        assert all(any(entry.endswith(f" {flag}") for entry in missing) for flag in flags)

    def test_a_flag_inside_a_longer_flag_does_not_count(self) -> None:
        assert not mentions("deadlinecal build --as-of 2026-08-01", "-o")
        assert not mentions("--max-age-days", "--max-age")
        assert mentions("deadlinecal build -o calendars", "-o")
        assert mentions("(`--as-of`)", "--as-of")

    def test_mentions_every_data_field(self) -> None:
        text = documented()
        names = all_fields(FORMAT) | all_fields(FEED) | all_fields(FILTER) | all_fields(TERM)
        missing = sorted(name for name in names if f"`{name}`" not in text
                         and f"{name}:" not in text)
        assert missing == []

    def test_readme_marks_the_required_fields_of_every_part(self) -> None:
        expected = {title(shape): ({f.name for f in shape.fields if f.required},
                                               {f.name for f in shape.fields if not f.required})
                    for shape in shapes()}
        assert required_table() == expected

    def test_format_spec_lists_every_field_as_generated_from_spec(self) -> None:
        found = FIELDS_BLOCK.search(FORMAT_SPEC.read_text(encoding="utf-8"))
        assert found is not None, "FORMAT-SPEC.md lost its field reference markers"
        assert found.group(0) == field_reference(), "run `python -m tests.test_docs`"

    def test_the_field_reference_marks_last_verified_required(self) -> None:
        row = next(line for line in field_reference().splitlines()
                   if line.startswith("| `last_verified` |"))
        assert "| **required** |" in row


class TestReadme:
    def test_the_two_commands_come_first(self) -> None:
        blocks = fenced(README, "sh")
        assert blocks[0].strip() == INSTALL
        assert blocks[1].strip() == TEST
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert "scripts/test" in ci

    def test_the_test_command_waits_for_the_package_managers_lock(self) -> None:
        script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
        calls = [line for line in script.splitlines()
                 if re.search(r"\bapt-get\b", line) and not line.lstrip().startswith("#")
                 and '"' not in line.split("apt-get")[0]]  # not the messages about it
        assert calls == ['  DEBIAN_FRONTEND=noninteractive $sudo apt-get '
                         '-o DPkg::Lock::Timeout=600 "$@"']
        assert "waiting for the package manager's lock" in script

    def test_is_short(self) -> None:
        assert len(README.splitlines()) <= MAX_README_LINES

    def test_yaml_example_is_a_valid_data_file_without_warnings(self) -> None:
        (example,) = [b for b in fenced(README, "yaml") if b.startswith("# yaml-language-server")]
        loaded = load_dataset(example.encode(), file="README.md")
        assert [p.id for p in loaded.dataset.programs] == ["google-step"]
        assert [w.message for w in loaded.warnings] == []

    def test_links_every_document(self) -> None:
        assert sorted(str(p.relative_to(ROOT)) for p in reachable()) == sorted(
            str(p.relative_to(ROOT)) for p in documents())

    def test_the_pages_addresses_are_those_the_page_links_to(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (base,) = set(re.findall(r"`base_url: (https://\S+/)`", README))
        addresses = set(re.findall(r"`((?:https|webcal)://[^`<]+\.ics)`", README))
        assert {a for a in addresses if a.startswith(base)} and addresses
        shutil.copytree(ROOT / "data", tmp_path / "data")
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(main, ["build", "--base-url", base, "-o", "site"])
        assert result.exit_code == 0, result.output
        page = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
        for address in addresses:
            assert address in page, address
        assert base.replace("https://", "webcal://") + "all.ics" in addresses


class TestArchitecture:
    def test_names_every_module_and_package(self) -> None:
        text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
        package = ROOT / "src" / "deadlinecal"
        names = [f"`{path.name}`" for path in package.glob("*.py")
                 if path.name not in ("__init__.py", "__main__.py")]
        names += [f"`{path.name}/`" for path in package.iterdir()
                  if (path / "__init__.py").is_file()]
        assert names and [name for name in names if name not in text] == []


def _doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


class TestExamples:
    @pytest.mark.parametrize("doc", documents(), ids=_doc_id)
    def test_relative_links_point_to_existing_files(self, doc: Path) -> None:
        for target in links(doc.read_text(encoding="utf-8")):
            if not relative(target):
                continue
            path, _, anchor = target.partition("#")
            linked = (doc.parent / path).resolve() if path else doc
            assert linked.exists(), (doc.name, target)
            if anchor and linked.suffix == ".md":
                assert anchor in slugs(linked.read_text(encoding="utf-8")), (doc.name, target)

    @pytest.mark.parametrize("doc", documents(), ids=_doc_id)
    def test_example_commands_run(self, doc: Path, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
        """Each `deadlinecal` line of a sh block runs, in order, in a copy of the data."""
        shutil.copytree(ROOT / "data", tmp_path / "data")
        shutil.copytree(ROOT / "calendars", tmp_path / "calendars")
        for name, source in EXAMPLE_FILES.items():
            shutil.copyfile(source, tmp_path / name)
        monkeypatch.chdir(tmp_path)
        for command in example_commands(doc.read_text(encoding="utf-8")):
            words = shlex.split(command)
            if words[0].startswith(".venv/bin/"):
                words[0] = words[0].removeprefix(".venv/bin/")
            if words[0] == "deadlinecal":
                if " ".join(words).startswith(LONG_RUNNING):
                    continue
                result = CliRunner().invoke(main, words[1:])
                assert result.exit_code == 0, (doc.name, command, result.output)
            else:
                for word in words:
                    if re.fullmatch(r"[\w.-]+(/[\w.-]+)+", word) and not word.startswith(
                            ".venv/"):
                        assert (ROOT / word).exists(), (doc.name, command, word)


def example_commands(text: str) -> list[str]:
    """The commands of every sh block: comments dropped, `a && b` split, pipes cut."""
    found = []
    for block in fenced(text, "sh", "bash"):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if not line or line.startswith("#") or "[" in line.replace(".[", ""):
                continue
            for part in line.split("&&"):
                found.append(part.split("|", 1)[0].strip())
    return found


def write_field_reference() -> None:
    text = FORMAT_SPEC.read_text(encoding="utf-8")
    FORMAT_SPEC.write_text(FIELDS_BLOCK.sub(lambda _: field_reference(), text),
                           encoding="utf-8")


if __name__ == "__main__":
    write_field_reference()
    sys.exit(0)
