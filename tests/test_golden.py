"""Golden files: each fixture dataset's feeds, compared byte for byte.

Regenerate deliberately with `pytest tests/test_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deadlinecal.site import build

from .conftest import CASES

CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "data.yaml").exists())


def _build_case(case: Path) -> dict[str, bytes]:
    return build((case / "data.yaml").read_bytes(), file="data.yaml").files


@pytest.mark.parametrize("name", CASE_NAMES)
class TestGoldenFeeds:
    def test_feeds_match_expected_files_byte_for_byte(self, name: str,
                                                       update_golden: bool) -> None:
        case = CASES / name
        expected_dir = case / "expected"
        produced = _build_case(case)
        if update_golden:
            shutil.rmtree(expected_dir, ignore_errors=True)
            for relative, content in produced.items():
                target = expected_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
        expected = {
            path.relative_to(expected_dir).as_posix(): path.read_bytes()
            for path in sorted(expected_dir.rglob("*")) if path.is_file()
        }
        assert sorted(produced) == sorted(expected)
        for relative, content in produced.items():
            assert content == expected[relative], f"{name}/{relative} differs from golden"

    def test_building_twice_gives_identical_bytes(self, name: str) -> None:
        assert _build_case(CASES / name) == _build_case(CASES / name)
