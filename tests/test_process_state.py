"""Library calls leave the process as they found it: garbage collector, frozen objects, umask.

Only a command (`deadlinecal build`, `diff`, `import simplify`) pauses the collector, for
its own run, and gives it back as it was; the library never touches it, nor the umask.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deadlinecal import site
from deadlinecal.cli import main
from deadlinecal.output import plan as output
from deadlinecal.postings import run as importing
from deadlinecal.postings.importer import Settings as ImportSettings
from deadlinecal.postings.run import run_import

from .conftest import DEFAULT_DATA
from .postings_support import SAMPLE

AS_OF = dt.date(2026, 8, 1)


def state() -> tuple[bool, int, int]:
    """The collector's switch, how many objects are frozen, and the umask."""
    mask = os.umask(0o022)  # the one way to read it: set it and put it back at once
    os.umask(mask)
    return gc.isenabled(), gc.get_freeze_count(), mask


@pytest.fixture
def touched(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The process-wide switches a call flipped (gc.disable, gc.freeze, os.umask)."""
    calls: list[str] = []

    def spy(module: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(module, name)

        def called(*args: Any) -> Any:
            calls.append(f"{module.__name__}.{name}")
            return real(*args)

        monkeypatch.setattr(module, name, called)

    before = state()
    for module, name in ((gc, "disable"), (gc, "freeze"), (os, "umask")):
        spy(module, name)
    yield calls
    monkeypatch.undo()
    assert state() == before


def read(path: str, *_: object) -> bytes:
    return Path(path).read_bytes()


class TestLibraryCalls:
    def test_build_all_leaves_the_collector_and_umask_alone(self, touched: list[str]) -> None:
        result = site.build_all([str(DEFAULT_DATA)], read, as_of=AS_OF)
        assert result.files and touched == []

    def test_a_folder_build_leaves_the_collector_and_umask_alone(
            self, tmp_path: Path, touched: list[str]) -> None:
        outcome = output.build([str(DEFAULT_DATA)], read, tmp_path / "out",
                               output.Settings(as_of=AS_OF))
        assert outcome.report.written and touched == []
        again = output.build([str(DEFAULT_DATA)], read, tmp_path / "out",
                             output.Settings(as_of=AS_OF))
        assert again.report.unchanged and touched == []

    def test_an_import_leaves_the_collector_and_umask_alone(
            self, tmp_path: Path, touched: list[str]) -> None:
        result = run_import(str(SAMPLE), tmp_path / "postings.yaml",
                            ImportSettings(source_name="Posting list"), terms=(),
                            categories=(), timeout=5, read=Path.read_bytes)
        assert result.data and (tmp_path / "postings.yaml").exists() and touched == []

    def test_a_new_file_still_follows_the_umask_without_reading_it(
            self, tmp_path: Path, touched: list[str]) -> None:
        old = os.umask(0o027)
        try:
            touched.clear()
            output.build([str(DEFAULT_DATA)], read, tmp_path / "out",
                         output.Settings(as_of=AS_OF))
            assert touched == []
        finally:
            os.umask(old)
        assert (tmp_path / "out" / "all.ics").stat().st_mode & 0o777 == 0o640


class TestCommands:
    @pytest.mark.parametrize(("args", "module", "name"), [
        (["build", str(DEFAULT_DATA), "-o", "out", "--as-of", AS_OF.isoformat()],
         site, "load_selection"),
        (["diff", str(DEFAULT_DATA), "-o", "out", "--as-of", AS_OF.isoformat()],
         site, "load_selection"),
        (["import", "simplify", str(SAMPLE), "-o", "postings.yaml"], importing, "import_list"),
    ])
    def test_a_command_pauses_the_collector_for_its_run_and_gives_it_back(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str],
            module: Any, name: str) -> None:
        monkeypatch.chdir(tmp_path)
        real = getattr(module, name)
        seen: list[bool] = []

        def watched(*a: Any, **k: Any) -> Any:
            seen.append(gc.isenabled())
            return real(*a, **k)

        monkeypatch.setattr(module, name, watched)
        before = state()
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert seen == [False]  # paused while it built
        assert state() == before  # and given back
