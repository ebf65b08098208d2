"""The README is tested against the interface: commands, options, fields and examples."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.spec import ROOT as FORMAT
from deadlinecal.spec import Shape
from deadlinecal.validate import load_dataset

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def all_fields(shape: Shape) -> set[str]:
    names = set()
    for field in shape.fields:
        names.add(field.name)
        if field.shape is not None:
            names |= all_fields(field.shape)
    return names


class TestReadme:
    def test_mentions_every_command_and_its_options(self) -> None:
        assert isinstance(main, click.Group)
        for name, command in main.commands.items():
            assert f"deadlinecal {name}" in README, name
            for param in command.params:
                if isinstance(param, click.Option):
                    assert any(opt in README for opt in param.opts), (name, param.opts)

    def test_mentions_every_data_field(self) -> None:
        from deadlinecal.spec import FEED, FILTER, TERM

        names = all_fields(FORMAT) | all_fields(FEED) | all_fields(FILTER) | all_fields(TERM)
        missing = sorted(name for name in names if f"`{name}`" not in README
                         and f"{name}:" not in README)
        assert missing == []

    def test_the_two_commands_come_first(self) -> None:
        blocks = fenced("sh")
        assert blocks[0].strip() == ("python3 -m venv .venv && .venv/bin/pip install . && "
                                     ".venv/bin/deadlinecal build")
        assert blocks[1].strip() == "bash scripts/test"
        ci = (ROOT / ".ci" / "run").read_text()
        assert "scripts/test" in ci

    def test_yaml_example_is_a_valid_data_file(self) -> None:
        (example,) = [b for b in fenced("yaml") if b.startswith("# yaml-language-server")]
        loaded = load_dataset(example.encode(), file="README.md")
        assert [p.id for p in loaded.dataset.programs] == ["google-step"]

    def test_example_commands_run(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        shutil.copytree(ROOT / "data", tmp_path / "data")
        monkeypatch.chdir(tmp_path)
        commands = [line.split("#")[0].strip() for block in fenced("sh")[2:]
                    for line in block.splitlines()]
        runnable = [c for c in commands if c.startswith("deadlinecal ") and "[" not in c]
        assert runnable, "the README shows example commands"
        for command in runnable:
            result = CliRunner().invoke(main, shlex.split(command)[1:])
            assert result.exit_code == 0, (command, result.output)
