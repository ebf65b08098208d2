"""Without a record, a file is a build's only where a build writes it and only when its
content says so; a folder holding anything else is not taken for the build's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from deadlinecal.output import plan as output
from deadlinecal.output.write import RECORD, opened
from deadlinecal.site import build

from .conftest import DEFAULT_DATA
from .test_ownership import FIRST, build_into, data_file, files_of, put, run


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return data_file(tmp_path)


NAMED = FIRST.replace(b"programs:\n", b"feeds:\n  mine: {title: Mine, filter: {track: [research]}}"
                      b"\nprograms:\n")


class TestLayout:
    @pytest.mark.parametrize("source", ["default", "named"])
    def test_every_file_a_build_writes_lies_in_the_layout(self, source: str) -> None:
        data = DEFAULT_DATA.read_bytes() if source == "default" else NAMED
        files = build(data, file="d.yaml").files
        assert [path for path in files if not output.LAYOUT.places(path)] == []
        assert len(files) >= 6

    def test_a_recognisable_file_elsewhere_is_not_ours(self, data: Path, tmp_path: Path
                                                       ) -> None:
        out = build_into(data, tmp_path / "out")
        feed = (out / "all.ics").read_bytes()
        put(out, {"archive/2025/last-year.ics": feed, "t3/my-research.ics": feed,
                  "notes.html": (out / "index.html").read_bytes(), "tracks/x/y.ics": feed})
        (out / RECORD).unlink()
        with opened(out, layout=output.LAYOUT) as folder:
            # The personal feeds of the picker are in the layout too (picked/).
            assert sorted(name for name in folder.owned if not name.startswith("picked/")
                          ) == ["all.ics", "eligibility/phd.ics",
                                "eligibility/undergrad.ics", "index.html",
                                "tracks/applied.ics", "tracks/research.ics"]
            assert folder.others() == ["archive", "notes.html", "t3", "tracks/x"]


class TestNoRecordFolders:
    def test_a_folder_holding_another_builds_output_further_down_is_refused(
            self, data: Path, tmp_path: Path) -> None:
        sites = tmp_path / "sites"
        build_into(data, sites / "projA" / "calendars")
        (sites / "projA" / "calendars" / RECORD).unlink()
        put(sites, {"projA/README": b"project A\n", "home.html": b"<p>home</p>"})
        before = files_of(sites)
        result = run("build", str(data), "-o", str(sites))
        assert result.exit_code == 1 and "--adopt" in result.output
        assert files_of(sites) == before and len(before) == 36  # 34 of projA, 2 others

    def test_a_subfolder_of_another_output_is_refused(self, data: Path, tmp_path: Path
                                                      ) -> None:
        n1 = build_into(data, tmp_path / "n1")
        (n1 / "NOTES.txt").write_bytes(b"mine\n")
        before = files_of(n1)
        result = run("build", str(data), "-o", str(n1 / "tracks"))
        assert result.exit_code == 1 and "research.ics" in result.output
        assert files_of(n1) == before
        assert sorted(p.name for p in (n1 / "tracks").iterdir()) == ["applied.ics",
                                                                     "research.ics"]

    def test_copies_exports_and_pages_beside_a_build_are_never_removed(
            self, data: Path, tmp_path: Path) -> None:
        out = build_into(data, tmp_path / "out")
        feed = (out / "all.ics").read_bytes()
        extra = {"archive/2025/last-year.ics": feed,
                 "notes.html": (out / "index.html").read_bytes()}
        put(out, extra)
        t3 = out / "t3" / "my-research.ics"
        t3.parent.mkdir()
        exported = run("feed", str(data), "--track", "research", "-o", str(t3))
        assert exported.exit_code == 0, exported.output
        extra["t3/my-research.ics"] = t3.read_bytes()
        (out / RECORD).unlink()
        before = files_of(out)
        refused = run("build", str(data), "-o", str(out))
        assert refused.exit_code == 1
        assert "archive, notes.html, t3" in refused.output
        assert files_of(out) == before
        adopted = run("build", str(data), "-o", str(out), "--adopt")
        assert adopted.exit_code == 0, adopted.output
        assert {name: (out / name).read_bytes() for name in extra} == extra
        assert "0 removed" in adopted.output
