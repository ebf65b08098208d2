"""The package's floors hold: layers, no import cycles, a short top floor, small rooms.

scripts/check_architecture.py is the check (anyone can run it); these tests run it on the
package, and on a small made-up package to show that each rule can fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_architecture", ROOT / "scripts" / "check_architecture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _package(root: Path, files: dict[str, str]) -> Path:
    """A made-up deadlinecal package under `root`/src with the given modules."""
    src = root / "src"
    for name, text in {"deadlinecal/__init__.py": "", "deadlinecal/model.py": "",
                       "deadlinecal/dataset/__init__.py": "",
                       "deadlinecal/page/__init__.py": "", **files}.items():
        path = src / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


class TestThePackage:
    def test_breaks_no_rule(self) -> None:
        assert _checker().findings(ROOT / "src") == []

    def test_has_at_most_fifteen_modules_at_the_top(self) -> None:
        assert len(list((ROOT / "src" / "deadlinecal").glob("*.py"))) <= 15

    def test_every_package_says_what_it_holds_and_may_import(self) -> None:
        for init in (ROOT / "src" / "deadlinecal").glob("*/__init__.py"):
            text = init.read_text(encoding="utf-8")
            assert "May import" in text, init


class TestTheRules:
    def test_an_import_from_a_higher_floor_is_found(self, tmp_path: Path) -> None:
        src = _package(tmp_path, {
            "deadlinecal/dataset/dates.py": "def f():\n    from deadlinecal.page import index\n",
            "deadlinecal/page/index.py": "",
        })
        found = _checker().findings(src)
        assert any("dataset.dates imports deadlinecal.page.index" in line for line in found)

    def test_a_cycle_through_a_lazy_import_is_found(self, tmp_path: Path) -> None:
        src = _package(tmp_path, {
            "deadlinecal/page/a.py": "from deadlinecal.page import b\n",
            "deadlinecal/page/b.py": "def f():\n    from . import a\n",
        })
        assert "import cycle: deadlinecal.page.a -> deadlinecal.page.b" in \
            _checker().findings(src)

    def test_a_package_on_no_floor_is_found(self, tmp_path: Path) -> None:
        src = _package(tmp_path, {"deadlinecal/elsewhere/__init__.py": ""})
        assert any("deadlinecal.elsewhere belongs to no layer" in line
                   for line in _checker().findings(src))

    def test_a_long_definition_is_found(self, tmp_path: Path) -> None:
        body = "".join(f"    x{n} = {n}\n" for n in range(150))
        src = _package(tmp_path, {"deadlinecal/model.py": f"@staticmethod\ndef f():\n{body}"})
        assert any("deadlinecal.model.f is 152 lines" in line
                   for line in _checker().findings(src))

    def test_too_many_top_level_modules_are_found(self, tmp_path: Path) -> None:
        src = _package(tmp_path, {f"deadlinecal/m{n}.py": "" for n in range(15)})
        assert any("17 modules directly in src/deadlinecal" in line
                   for line in _checker().findings(src))
