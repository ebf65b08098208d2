"""Shared fixtures: paths, the golden-file switch, and a built default dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from deadlinecal.pipeline import Build

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the expected files of tests/cases/ from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def default_build() -> Build:
    from deadlinecal.pipeline import build

    return build(DEFAULT_DATA.read_bytes(), file="data/ml-internships-summer-2027.yaml")
