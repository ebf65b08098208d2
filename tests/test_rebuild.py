"""A rebuild with unchanged data renders nothing and writes nothing; anything else renders."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest
from click.testing import CliRunner

import deadlinecal.ical.render
from deadlinecal.cli import main
from deadlinecal.output import cache
from deadlinecal.site import build

from .conftest import DEFAULT_DATA
from .helpers import dataset_yaml, program


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.yaml"
    path.write_bytes(dataset_yaml(
        program("alpha", windows='- opens: "2026-10-14"\n  closes: "2026-10-31 17:00"'),
        program("beta", track="applied", eligibility="[phd]", windows='- opens: "2026-11"'),
    ))
    return path


def _build(data: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", str(data), "-o", str(out),
                                       "--as-of", "2026-08-01", *extra])
    assert result.exit_code == 0, result.output
    return next(line.strip() for line in result.output.splitlines() if " written, " in line)


def _stamps(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.ics")}


def _forbid_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(deadlinecal.ical.render, "render_feeds", refuse)


class TestUnchangedRebuild:
    def test_writes_no_file(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        before = _stamps(out)
        assert _build(data_file, out) == f"{out}/: 0 written, 34 unchanged, 0 removed."
        assert _stamps(out) == before

    def test_renders_nothing(self, data_file: Path, tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        _forbid_rendering(monkeypatch)
        assert _build(data_file, out).startswith(f"{out}/: 0 written")

    def test_still_reports_every_feed_and_its_count(self, data_file: Path,
                                                     tmp_path: Path) -> None:
        out = tmp_path / "out"
        first = CliRunner().invoke(main, ["build", str(data_file), "-o", str(out)])
        again = CliRunner().invoke(main, ["build", str(data_file), "-o", str(out)])
        assert [line for line in again.output.splitlines() if "written" not in line] == [
            line for line in first.output.splitlines() if "written" not in line]


class TestRebuildThatMustRender:
    def test_changed_data_renders_and_writes(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        data_file.write_bytes(data_file.read_bytes().replace(b"2026-10-14", b"2026-10-15"))
        # Three feeds and the 12 personal feeds of choices that keep it hold the moved
        # event; the page lists it too.
        assert _build(data_file, out).startswith(f"{out}/: 16 written")

    def test_a_feed_edited_by_hand_is_restored(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        original = (out / "all.ics").read_bytes()
        # Still our feed (a file replaced with something else is the user's: not restored).
        (out / "all.ics").write_bytes(original.replace(b"X-WR-CALNAME:", b"X-WR-CALNAME:edited ", 1))
        assert _build(data_file, out).startswith(f"{out}/: 1 written")
        assert (out / "all.ics").read_bytes() == original

    def test_a_deleted_feed_is_written_again(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        (out / "tracks" / "applied.ics").unlink()
        assert _build(data_file, out).startswith(f"{out}/: 1 written")

    def test_a_file_put_there_by_someone_else_is_kept(self, data_file: Path,
                                                      tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        (out / "old.ics").write_bytes(b"old")
        assert _build(data_file, out).endswith("0 removed.")
        assert (out / "old.ics").read_bytes() == b"old"

    def test_another_option_renders_again(self, data_file: Path, tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        # Every feed (and the 21 personal feeds that hold an event) loses its reminders;
        # the page does not show them.
        assert _build(data_file, out, "--no-alarms").startswith(f"{out}/: 26 written")

    def test_a_broken_manifest_only_costs_a_render(self, data_file: Path,
                                                   tmp_path: Path) -> None:
        out = tmp_path / "out"
        _build(data_file, out)
        (out / cache.MANIFEST).write_text("{not json")
        assert _build(data_file, out).startswith(f"{out}/: 0 written")


class TestBuildKey:
    def test_same_bytes_same_key(self) -> None:
        assert cache.build_key(b"a: 1\n") == cache.build_key(b"a: 1\n")

    def test_other_bytes_other_key(self) -> None:
        assert cache.build_key(b"a: 1\n") != cache.build_key(b"a: 2\n")

    def test_options_are_part_of_the_key(self) -> None:
        assert cache.build_key(b"x", "alarms=True") != cache.build_key(b"x", "alarms=False")

    def test_nothing_is_current_without_a_manifest(self, tmp_path: Path) -> None:
        from deadlinecal.output.write import opened

        with opened(tmp_path) as folder:
            assert cache.unchanged(folder, cache.build_key(b"x")) is None


class TestCoreStaysFast:
    def test_build_leaves_the_collector_as_it_found_it(self) -> None:
        assert gc.isenabled()
        build(DEFAULT_DATA.read_bytes(), file="data.yaml")
        assert gc.isenabled()

    def test_build_leaves_a_disabled_collector_disabled(self) -> None:
        gc.disable()
        try:
            build(DEFAULT_DATA.read_bytes(), file="data.yaml")
            assert not gc.isenabled()
        finally:
            gc.enable()


class _Parted(dict[str, bytes]):
    """A mapping that also offers each file as parts, as rendered feeds do."""

    def parts(self, path: str) -> list[bytes]:
        return [self[path][:3], self[path][3:]]


class TestWriteInParts:
    def test_parts_are_written_one_after_another(self, tmp_path: Path) -> None:
        from deadlinecal.output.write import write_tree

        write_tree(tmp_path, _Parted({"a.ics": b"BEGIN-END"}))
        assert (tmp_path / "a.ics").read_bytes() == b"BEGIN-END"

    def test_same_parts_leave_the_file_alone(self, tmp_path: Path) -> None:
        from deadlinecal.output.write import write_tree

        write_tree(tmp_path, _Parted({"a.ics": b"BEGIN-END"}))
        report = write_tree(tmp_path, _Parted({"a.ics": b"BEGIN-END"}))
        assert report.unchanged == ("a.ics",) and report.written == ()

    def test_a_difference_in_a_later_part_rewrites_the_file(self, tmp_path: Path) -> None:
        from deadlinecal.output.write import write_tree

        write_tree(tmp_path, _Parted({"a.ics": b"BEGIN-END"}))
        report = write_tree(tmp_path, _Parted({"a.ics": b"BEGIN-ENX"}))
        assert report.written == ("a.ics",)
        assert (tmp_path / "a.ics").read_bytes() == b"BEGIN-ENX"


class TestTheBuildKeyCoversAllCode:
    """A rebuild is skipped only when nothing that makes the feeds changed: subpackages and
    the page's templates are part of that, not only the top-level modules."""

    def test_subpackages_and_templates_are_hashed(self) -> None:
        from deadlinecal.output import cache

        names = {path.relative_to(Path(cache.__file__).parent.parent).as_posix()
                 for path in cache.code_files()}
        assert {"output/cache.py", "dataset/validate/programs.py", "history/feeds.py",
                "commands/data.py", "page/templates/page.html.j2",
                "page/templates/page.css"} <= names


class TestFeedsLookups:
    """`path in files` and `files.size(path)` answer without rendering the feed again."""

    def test_membership_and_size_render_nothing(self, data_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        files = build(data_file.read_bytes(), file="data.yaml", as_of=dt.date(2026, 8, 1)).files
        assert isinstance(files, deadlinecal.ical.render.Feeds)
        written = {path: files[path] for path in files}  # as the writer looks them up
        sizes = {path: len(content) for path, content in written.items()}

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("rendered again")

        monkeypatch.setattr(deadlinecal.ical.render.Renderer, "feed_parts", refuse)
        assert all(path in files for path in written)
        assert "tracks/no-such-track.ics" not in files
        assert {path: files.size(path) for path in written} == sizes

    def test_size_of_a_feed_not_yet_rendered(self, data_file: Path) -> None:
        files = build(data_file.read_bytes(), file="data.yaml", as_of=dt.date(2026, 8, 1)).files
        assert isinstance(files, deadlinecal.ical.render.Feeds)
        assert [files.size(path) for path in files] == [len(files[path]) for path in files]
