"""`deadlinecal diff`, `build --check`, the shipped hooks and workflow, and the README's example."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from deadlinecal.cli import main

from .updates_support import BASE, CONFIRM_STEP, edit

# The day every build and diff here runs on: the data was last verified 2026-07-31.
AS_OF = "2026-08-01"

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# The worked example continues in docs/updating.md: what diff and the rebuild show.
UPDATING = (ROOT / "docs" / "updating.md").read_text(encoding="utf-8")
DEFAULT_DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A data file already built into tmp_path/out; returns the data file."""
    data = tmp_path / "demo.yaml"
    data.write_text(BASE)
    result = run("build", str(data), "-o", str(tmp_path / "out"), "--as-of", "2026-08-01")
    assert result.exit_code == 0, result.output
    return data


class TestDiff:
    def test_it_prints_moved_events_per_feed_with_old_and_new_dates(self, built: Path) -> None:
        built.write_text(edit(BASE, *CONFIRM_STEP))
        result = run("diff", str(built), "-o", str(built.parent / "out"), "--as-of", AS_OF)
        out = str(built.parent / "out")
        assert result.exit_code == 0, result.output
        # The personal feeds (picked/) holding the program change alike.
        picked = [line for line in result.output.splitlines() if "/picked/" in line]
        assert picked and all(line.endswith(f": the same 3 changes as {out}/all.ics")
                              for line in picked)
        assert [line for line in result.output.splitlines() if "/picked/" not in line] == [
            f"{out}/all.ics",
            "  ~ moved     Opens: Google STEP: 2026-10-11 → 2026-10-14 [tentative → confirmed]",
            "  ~ moved     Apply: Google STEP: 2026-10-24 → 2026-10-28 [tentative → confirmed]",
            "  ~ moved     Closes: Google STEP: 2026-10-25 → 2026-10-31 [tentative → confirmed]",
            f"{out}/eligibility/undergrad.ics: the same 3 changes as {out}/all.ics",
            f"{out}/tracks/applied.ics: the same 3 changes as {out}/all.ics",
            f"3 events change in {3 + len(picked)} feeds: 3 moved.",
            f"{out}/index.html (the page) is out of date; a build rewrites it.",
        ]

    def test_it_names_added_removed_and_reworded_events(self, built: Path) -> None:
        text = BASE[: BASE.index("  - id: fair")]
        text = edit(text, "program: REU sites\n    short: NSF REU", "program: REU sites in ML")
        text += ("  - id: mila\n    employer: Mila\n    program: Research internship\n"
                 "    track: research\n    eligibility: [phd]\n"
                 "    last_verified: \"2026-07-31\"\n")
        built.write_text(text)
        lines = run("diff", str(built), "-o", str(built.parent / "out"), "--as-of", AS_OF).output.splitlines()
        assert "  ~ reworded  ~Opens: NSF REU sites in ML: DESCRIPTION, " \
               "SUMMARY (was “~Opens: NSF REU”)" in lines
        assert "  + added     Watch: Mila Research internship — " \
               "2026-07-31 [tentative]" in lines
        assert "  - removed   Watch: Meta FAIR research inter… — " \
               "2026-07-31 [tentative]" in lines

    def test_a_moved_deadline_time_is_shown_with_its_zone(self, built: Path) -> None:
        built.write_text(edit(BASE, 'deadline: "2027-01..2027-03"',
                              'deadline: "2027-02-01 17:00"'))
        lines = run("diff", str(built), "-o", str(built.parent / "out"), "--as-of", AS_OF).output.splitlines()
        assert lines[1] == ("  ~ moved     Due: NSF REU: 2027-01-01 → "
                            "2027-02-01 16:30–17:00 America/New_York [tentative → confirmed] "
                            "(was “~Deadlines: NSF REU”)")

    def test_json_gives_each_change_with_old_and_new_sequence(self, built: Path) -> None:
        built.write_text(edit(BASE, *CONFIRM_STEP))
        result = run("diff", str(built), "-o", str(built.parent / "out"), "--json", "--as-of", AS_OF)
        feeds = json.loads(result.output)["feeds"]
        opens = feeds[0]["changes"][0]
        assert (feeds[0]["path"], opens["change"], opens["old"]["start"], opens["new"]["start"],
                opens["old"]["sequence"], opens["new"]["sequence"]) == (
            "all.ics", "moved", "2026-10-11", "2026-10-14", 0, 1)

    def test_no_data_change_says_so(self, built: Path) -> None:
        result = run("diff", str(built), "-o", str(built.parent / "out"), "--as-of", AS_OF)
        assert result.output == "No feed changes.\n"

    def test_a_feed_the_build_no_longer_makes_is_reported_ended(self, built: Path) -> None:
        built.write_text(edit(BASE, "  phd: {title: PhD students}\n", "")
                         .replace("    eligibility: [phd]\n", "    eligibility: [undergrad]\n"))
        lines = run("diff", str(built), "-o", str(built.parent / "out"), "--as-of", AS_OF).output.splitlines()
        assert (f"{built.parent / 'out'}/eligibility/phd.ics (feed ended: its events "
                "cancelled, a notice says what to subscribe to)") in lines


class TestBuildCheck:
    def test_an_up_to_date_folder_passes(self, built: Path) -> None:
        result = run("build", str(built), "-o", str(built.parent / "out"), "--check", "--as-of", AS_OF)
        assert result.exit_code == 0
        assert "is up to date" in result.output

    def test_a_stale_folder_fails_naming_the_stale_feeds(self, built: Path) -> None:
        built.write_text(edit(BASE, *CONFIRM_STEP))
        out = built.parent / "out"
        result = run("build", str(built), "-o", str(out), "--check", "--as-of", AS_OF)
        assert result.exit_code == 1
        # The subscribe page shows the dates too, so it is stale with the feeds.
        assert [line for line in result.output.splitlines()
                if "/picked/" not in line][1:5] == [
            f"  {out}/all.ics (out of date)", f"  {out}/eligibility/undergrad.ics (out of date)",
            f"  {out}/index.html (the page: out of date)", f"  {out}/tracks/applied.ics (out of date)"]

    def test_the_check_writes_nothing(self, built: Path) -> None:
        built.write_text(edit(BASE, *CONFIRM_STEP))
        out = built.parent / "out"
        before = {p: p.read_bytes() for p in out.rglob("*.ics")}
        run("build", str(built), "-o", str(out), "--check", "--as-of", AS_OF)
        assert {p: p.read_bytes() for p in out.rglob("*.ics")} == before

    def test_a_missing_folder_is_stale(self, tmp_path: Path) -> None:
        data = tmp_path / "demo.yaml"
        data.write_text(BASE)
        result = run("build", str(data), "-o", str(tmp_path / "none"), "--check", "--as-of", AS_OF)
        assert result.exit_code == 1

    def test_the_committed_calendars_are_what_the_default_data_produces(
            self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.chdir(ROOT)
        result = run("build", "--check", "--as-of", AS_OF)
        assert result.exit_code == 0, result.output


class TestShippedAutomation:
    def test_the_pre_commit_hook_runs_the_check(self) -> None:
        hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
        check = next(hook for hook in hooks if hook["id"] == "deadlinecal-check")
        assert (check["entry"], check["pass_filenames"]) == ("deadlinecal build --check", False)

    def test_the_workflow_runs_on_data_changes_checks_and_publishes_pages(self) -> None:
        workflow = yaml.safe_load((ROOT / ".github/workflows/feeds.yml").read_text())
        triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
        steps = workflow["jobs"]["build"]["steps"]
        commands = [step.get("run") for step in steps]
        uses = [step.get("uses", "") for step in steps]
        assert "data/**" in triggers["push"]["paths"]
        assert any(c and c.startswith("deadlinecal build ") and c.endswith("--check")
                   for c in commands)
        assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
        assert workflow["jobs"]["publish"]["steps"][0]["uses"].startswith(
            "actions/deploy-pages")


class TestReadmeExample:
    def _example(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        block = re.search(r"<!-- updating-dates:edit -->\n```diff\n(.*?)```", README, re.S)
        assert block is not None
        lines = block.group(1).splitlines()
        old = "".join(line[1:] + "\n" for line in lines if not line.startswith("+"))
        new = "".join(line[1:] + "\n" for line in lines if not line.startswith("-"))
        text = DEFAULT_DATA.read_text(encoding="utf-8")
        text = edit(text, old, new)
        data = tmp_path / "edited.yaml"
        data.write_text(text, encoding="utf-8")
        monkeypatch.chdir(ROOT)
        return data

    def test_the_readme_shows_the_diff_output_its_edit_produces(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        data = self._example(tmp_path, monkeypatch)
        block = re.search(r"<!-- updating-dates:diff -->\n```text\n\$ deadlinecal diff\n(.*?)```",
                          UPDATING, re.S)
        assert block is not None
        assert run("diff", str(data), "--as-of", AS_OF).output == block.group(1)
        # The README quotes one line of it.
        quoted = re.search(r"`(Opens: Google STEP: [^`]+)`", README)
        assert quoted is not None and f"  ~ moved     {quoted.group(1)}\n" in block.group(1)

    def test_the_readme_shows_the_sequence_change_its_edit_produces(
            self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        data = self._example(tmp_path, monkeypatch)
        out = tmp_path / "calendars"
        shutil.copytree(ROOT / "calendars", out)  # the feeds subscribers already have
        run("build", str(data), "-o", str(out), "--as-of", "2026-10-14")
        feed = (out / "all.ics").read_bytes().replace(b"\r\n ", b"").decode()
        opens = next(block for block in feed.split("BEGIN:VEVENT")
                     if "google-step.summer-2027.opens@" in block)
        shown = re.search(r"<!-- updating-dates:sequence -->\n```text\n(.*?)```", UPDATING, re.S)
        assert shown is not None
        for line in ("DTSTART;VALUE=DATE:20261014", "SEQUENCE:4",
                     "LAST-MODIFIED:20260731T000004Z", "STATUS:CONFIRMED"):
            assert f"+{line}\n" in shown.group(1) and line in opens.splitlines()
        before = (ROOT / "calendars" / "all.ics").read_bytes().replace(b"\r\n ", b"").decode()
        opened = next(block for block in before.split("BEGIN:VEVENT")
                      if "google-step.summer-2027.opens@" in block).splitlines()
        removed = [line[1:] for line in shown.group(1).splitlines() if line.startswith("-")]
        assert removed and all(line in opened for line in removed)
