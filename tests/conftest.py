"""Shared fixtures: paths, the golden-file switch, and a built default dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from deadlinecal.site import Build

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
DEFAULT_DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"


# Every test runs the commands with their clock years ahead, so a test that builds without
# pinning --as-of fails today (stale `last_verified` warnings), not on some day next year.
# tests/test_clock.py runs the commands' tests in subprocesses under libfaketime too.
YEARS_AHEAD = dt.date(2031, 6, 1)


@pytest.fixture(autouse=True)
def _clock_years_ahead(monkeypatch: pytest.MonkeyPatch) -> None:
    from deadlinecal.commands import common

    monkeypatch.setattr(common, "today", lambda: YEARS_AHEAD)


# The slow tests, by the start of their ids (relative to tests/): each needs more than a
# second or two of a CPU. They are marked `slow`; `--quick` leaves them out for the inner
# loop, the whole suite (and CI) runs them. Measured with `--durations=0`.
SLOW = (
    # whole modules: real clients, a browser, five parsers, racing processes, hypothesis
    "test_benchmarks.py", "test_browser.py", "test_clients.py", "test_clock.py",
    "test_concurrency.py", "interop/", "test_properties.py", "test_serve_load.py",
    # mutation and corpus tests that build or lint hundreds of variants
    "test_history_hostile.py::TestMutatedPreviousFeeds",
    "test_history_hostile.py::TestDiff::test_a_10_mb_summary_with_nul_bytes_is_cut_short",
    "test_lint_hostile.py::TestMutatedFeeds",
    "test_postings.py::TestNewerFormat::test_every_visible_posting_is_in_its_track_and_",
    "test_fastical.py::TestEventBytes::test_feeds_parse_back_to_the_same_events_as_naive_",
    "test_fastical.py::TestEventBytes::test_every_event_is_byte_identical_to_icalendar[gen",
    "test_picker.py::TestChoices",
    "test_timezones.py::TestOnsetsToTheLetter::test_every_canonical_zone_is_written_right",
    "test_default_data.py::TestEveryProgram", "test_default_data.py::TestFeedsParseBack",
    # real processes: start-up, closed pipes, racing builds, files that are not files
    "test_startup.py", "test_feed_details.py::TestClosedPipe",
    "test_updates_write.py::TestConcurrentBuilds", "test_lint_hostile.py::TestFilesThatAreNotRead",
    "test_hostile_yaml.py::TestNesting::test_a_hundred_thousand_levels_are_refused_cleanly",
    "test_month_view.py::TestFollowUpsOnTheDefaultData",
    "test_month_view.py::TestTitles",
    "test_month_view.py::TestOnlyWhatTheSourceSays",
    "test_ownership.py::TestRecord::test_a_build_with_a_record_naming_a_pipe_finishes",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite the expected files of tests/cases/ from the current output.",
    )
    parser.addoption(
        "--quick",
        action="store_true",
        help="Leave out the tests marked slow (SLOW in tests/conftest.py): the inner "
             "loop, under 30 seconds on two CPUs.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = Path(__file__).resolve().parent
    used = set()
    for item in items:
        name = f"{item.path.relative_to(tests).as_posix()}::{item.nodeid.partition('::')[2]}"
        found = [prefix for prefix in SLOW if name.startswith(prefix)]
        if found:
            item.add_marker(pytest.mark.slow)
            used.update(found)
    collected = {item.path.relative_to(tests).as_posix() for item in items}
    stale = [prefix for prefix in SLOW if prefix not in used
             and prefix.partition("::")[0] in collected and "::" in prefix]
    if stale and not any("::" in arg for arg in config.args):
        raise pytest.UsageError(f"tests/conftest.py SLOW names tests that are gone: {stale}")
    if config.getoption("--quick"):
        slow = [item for item in items if item.get_closest_marker("slow") is not None]
        if slow:
            config.hook.pytest_deselected(items=slow)
            items[:] = [item for item in items if item.get_closest_marker("slow") is None]


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def default_build() -> Build:
    from deadlinecal.site import build

    return build(DEFAULT_DATA.read_bytes(), file="data/ml-internships-summer-2027.yaml")
