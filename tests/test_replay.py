"""A rebuild with nothing to do prints what the build before it recorded (output/cache.py):
exactly what the same rebuild prints when it loads and plans the data, without the pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.dataset import load
from deadlinecal.output import cache, moving, write

from .conftest import DEFAULT_DATA, ROOT
from .postings_support import SAMPLE
from .updates_support import BASE, REU_OPENS, edit

AS_OF = ("--as-of", "2026-08-01")
NAMED = BASE.replace("programs:\n", "feeds:\n  applied-only:\n    title: Applied only\n"
                     "    filter: {track: [applied]}\nprograms:\n", 1)
NO_APPLIED = edit(edit(NAMED, "  applied: {title: Applied}\n", ""), "track: applied",
                  "track: research").replace("    filter: {track: [applied]}",
                                             "    filter: {track: [research]}")

Printed = tuple[int, str, str]


def invoke(*args: str) -> Printed:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def rebuilt(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[Printed, Printed, bool]:
    """The rebuild `build ARGS` as replayed, as done in full (loading the data), and
    whether it was replayed."""
    replays: list[object] = []
    real = cache.replay

    def spy(*given: object) -> object:
        replays.append(real(*given))  # type: ignore[arg-type]
        return replays[-1]

    with monkeypatch.context() as patched:
        patched.setattr(cache, "replay", spy)
        fast = invoke("build", *args)
    with monkeypatch.context() as patched:
        patched.setattr(cache, "replay", lambda *given: None)
        slow = invoke("build", *args)
    return fast, slow, replays[-1] is not None


def built(*args: str) -> None:
    code, out, err = invoke("build", *args)
    assert code == 0, out + err


class TestTheReplayPrintsWhatTheFullRebuildPrints:
    @pytest.mark.parametrize("extra", [
        AS_OF,
        (*AS_OF, "--no-alarms", "--base-url", "https://example.org/calendars/"),
        # Years later: every program's last_verified is stale, a warning each.
        ("--as-of", "2029-01-01"),
        ("--as-of", "2029-01-01", "--verbose"),
    ])
    def test_the_default_data(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              extra: tuple[str, ...]) -> None:
        out = tmp_path / "out"
        built(str(DEFAULT_DATA), "-o", str(out), *extra)
        fast, slow, replayed = rebuilt(monkeypatch, str(DEFAULT_DATA), "-o", str(out), *extra)
        assert replayed and fast == slow and fast[0] == 0
        assert f"0 written, {len(list(out.rglob('*.*'))) - 1} unchanged, 0 removed" in fast[1]

    def test_the_warnings_are_replayed_too(self, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        out = tmp_path / "out"
        built(str(DEFAULT_DATA), "-o", str(out), "--as-of", "2029-01-01")
        fast, _, replayed = rebuilt(monkeypatch, str(DEFAULT_DATA), "-o", str(out),
                                    "--as-of", "2029-01-01")
        assert replayed and "last_verified" in fast[2]

    @pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "tests/cases").iterdir()))
    def test_the_golden_cases(self, case: str, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
        data, out = ROOT / "tests" / "cases" / case / "data.yaml", tmp_path / "out"
        built(str(data), "-o", str(out), *AS_OF)
        fast, slow, replayed = rebuilt(monkeypatch, str(data), "-o", str(out), *AS_OF)
        assert replayed and fast == slow

    def test_after_a_build_that_revised_and_ended_feeds(self, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
        data, out = tmp_path / "demo.yaml", tmp_path / "out"
        data.write_text(NAMED)
        built(str(data), "-o", str(out), *AS_OF)
        data.write_text(edit(NO_APPLIED, 'opens: "2026-11"', 'opens: "2026-12"'))
        code, printed, _ = invoke("build", str(data), "-o", str(out), *AS_OF)
        # What that build prints and a rebuild does not: the revised events, the ended feeds.
        assert code == 0 and "SEQUENCE + 1" in printed and "ended:" in printed
        fast, slow, replayed = rebuilt(monkeypatch, str(data), "-o", str(out), *AS_OF)
        assert replayed and fast == slow and "SEQUENCE + 1" not in fast[1]
        assert REU_OPENS.encode() in (out / "all.ics").read_bytes()

    def test_after_a_build_over_its_own_personal_feeds(self, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
        # The second build plans the picker with the addresses the first published: the
        # summary reuses that plan (site.as_rebuilt).
        data, out = tmp_path / "data.yaml", tmp_path / "out"
        data.write_bytes(DEFAULT_DATA.read_bytes())
        built(str(data), "-o", str(out), *AS_OF)
        data.write_bytes(DEFAULT_DATA.read_bytes() + b"# edited\n")
        built(str(data), "-o", str(out), *AS_OF)
        fast, slow, replayed = rebuilt(monkeypatch, str(data), "-o", str(out), *AS_OF)
        assert replayed and fast == slow and "personal feeds" in fast[1]

    def test_a_posting_list(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        data, out = tmp_path / "postings.yaml", tmp_path / "out"
        code, printed, _ = invoke("import", "simplify", str(SAMPLE), "-o", str(data))
        assert code == 0, printed
        built(str(data), "-o", str(out), "--max-age", "100000", *AS_OF)
        fast, slow, replayed = rebuilt(monkeypatch, str(data), "-o", str(out),
                                       "--max-age", "100000", *AS_OF)
        assert replayed and fast == slow and "Posting feeds" in fast[1]


class TestNoReplayWhenTheRebuildMayDiffer:
    @pytest.fixture
    def out(self, tmp_path: Path) -> Path:
        built(str(DEFAULT_DATA), "-o", str(tmp_path / "out"), "--as-of", "2029-01-01")
        return tmp_path / "out"

    def rebuild(self, monkeypatch: pytest.MonkeyPatch, out: Path,
                *extra: str) -> tuple[Printed, bool]:
        fast, slow, replayed = rebuilt(monkeypatch, str(DEFAULT_DATA), "-o", str(out), *extra)
        assert fast == slow
        return fast, replayed

    def test_another_day(self, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        assert not self.rebuild(monkeypatch, out, "--as-of", "2029-01-02")[1]

    def test_other_printed_options(self, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        for extra in (("--verbose",), ("--max-age", "2000")):
            assert not self.rebuild(monkeypatch, out, "--as-of", "2029-01-01", *extra)[1]

    def test_strict_with_warnings(self, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        # The record's summary is current, but it has warnings: the full rebuild refuses.
        (code, printed, err), _ = self.rebuild(monkeypatch, out, "--as-of", "2029-01-01",
                                               "--strict")
        assert code == 1 and "written" not in printed and "last_verified" in err

    def test_a_file_of_ours_touched(self, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        feed = out / "tracks" / "quant.ics"
        feed.write_bytes(feed.read_bytes())
        (_, printed, _), replayed = self.rebuild(monkeypatch, out, "--as-of", "2029-01-01")
        assert not replayed and "0 written" in printed

    def test_a_temporary_left_by_a_killed_build(self, out: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        left = out / "tracks" / f".quant.ics.abcd1234{moving.TEMP_SUFFIX}"
        left.write_bytes(b"half")
        fast, _, replayed = rebuilt(monkeypatch, str(DEFAULT_DATA), "-o", str(out),
                                    "--as-of", "2029-01-01")
        assert not replayed and fast[0] == 0 and not left.exists()

    def test_a_record_without_a_summary(self, out: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
        record = out / cache.RECORD
        record.write_text(record.read_text().replace('"summary"', '"other"'))
        assert not self.rebuild(monkeypatch, out, "--as-of", "2029-01-01")[1]

    def test_an_unsafe_folder_is_refused_as_before(self, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(tmp_path)
        code, _, err = invoke("build", str(DEFAULT_DATA), "-o", ".", *AS_OF)
        assert code == 1 and "is the current folder" in err


class TestTheReplayStaysSmall:
    def test_it_imports_nothing_of_the_pipeline(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        built(str(DEFAULT_DATA), "-o", str(out), *AS_OF)
        script = ("import sys\nfrom deadlinecal.cli import main\n"
                  "try:\n    main(sys.argv[1:])\nexcept SystemExit as exit:\n"
                  "    assert not exit.code, exit.code\n"
                  "print(sorted(m for m in ('yaml', 'jinja2', 'deadlinecal.pipeline', "
                  "'deadlinecal.model', 'deadlinecal.output.write') if m in sys.modules))\n")
        done = subprocess.run([sys.executable, "-c", script, "build", str(DEFAULT_DATA),
                               "-o", str(out), *AS_OF], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        assert "0 written" in done.stdout and done.stdout.splitlines()[-1] == "[]"

    def test_its_copies_of_other_modules_constants_agree(self) -> None:
        assert (cache.RECORD, cache.TEMP_SUFFIX, cache.MAX_INPUT_BYTES) == (
            write.RECORD, moving.TEMP_SUFFIX, load.MAX_INPUT_BYTES)


class TestDaysAreReadAsStrptimeReadsThem:
    @pytest.mark.parametrize("text", [
        "2026-08-01", "2026-8-1", "2026-08- 1", "2026-12-31", "2026-02-29", "2028-02-29",
        "2026-13-01", "2026-00-10", "2026-1-032", "0000-01-01", "9999-12-31", "226-01-01",
        "2026-08-01 ", " 2026-08-01", "2026/08/01", "20260801", "2026-08-1x", "2026-011-1",
        "\u0662\u0660\u0662\u0666-08-01", "2026-08-\u0661", "", "2026--01", "2026-1-10",
        "2026-10-1", "2026-11-5", "2026-01-311", "2026-04-31",
    ])
    def test_the_same_day_or_the_same_refusal(self, text: str) -> None:
        import datetime as dt

        from deadlinecal.commands.common import parse_day

        try:
            expected: object = dt.datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            expected = ValueError
        try:
            found: object = parse_day(text)
        except ValueError:
            found = ValueError
        assert found == expected
