"""The page's templates compiled once and kept (page/compiled.py) give the same page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from deadlinecal.page import compiled, index
from deadlinecal.site import build

from .conftest import DEFAULT_DATA


def page() -> bytes:
    built = build(DEFAULT_DATA.read_bytes(), file="data.yaml", as_of=dt.date(2026, 8, 1))
    return built.files[index.PAGE_PATH]


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The cache in a folder of the test's own, with the page's environment made anew."""
    monkeypatch.setattr(compiled, "FOLDER", tmp_path / "cache")
    index._environment.cache_clear()
    yield tmp_path / "cache"
    index._environment.cache_clear()


class TestCompiledTemplates:
    def test_the_page_from_the_cache_is_the_page_compiled_now(
            self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("sys.dont_write_bytecode", True)
        expected = page()
        assert not folder.exists()
        compiled.compile_all()
        assert len(list(folder.iterdir())) == len(compiled.TEMPLATES)
        index._environment.cache_clear()

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("compiled again although the cache holds it")

        monkeypatch.setattr(jinja2.Environment, "compile", refuse)
        assert page() == expected

    def test_a_cache_that_cannot_be_written_is_no_error(
            self, folder: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        (tmp_path / "file").write_bytes(b"")
        monkeypatch.setattr(compiled, "FOLDER", tmp_path / "file" / "cache")
        monkeypatch.setattr("sys.dont_write_bytecode", False)
        assert page().startswith(b"<!doctype html>")

    def test_a_build_writes_the_cache_where_python_writes_bytecode(
            self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr("sys.dont_write_bytecode", False)
        page()
        assert len(list(folder.iterdir())) == len(compiled.TEMPLATES)
