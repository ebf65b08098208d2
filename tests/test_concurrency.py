"""Builds at once take turns: SEQUENCE never goes down, whatever order they finish in.

Real processes run the CLI in parallel on the same folder (two data files that disagree
about an event, one of them with an event the other lacks), round after round, while the
test reads every feed as often as it can. Subscribers ignore a revision whose SEQUENCE is
not higher than the one they hold, so every reading must show, for every UID, a SEQUENCE at
least as high as any seen before, and a higher one whenever the content changed; and since
both builds of a round change an event, each round must raise its SEQUENCE by exactly 2.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from deadlinecal.history import read_feed

from .helpers import dataset_yaml, program

ALPHA = "t.alpha.main.opens@deadlinecal"


def data_a(round: int) -> bytes:
    return dataset_yaml(program("alpha", windows=f'- opens: "2026-10-{round + 1:02d}"'))


def data_b(round: int) -> bytes:
    """Moves alpha elsewhere, and has beta, which every build of A drops again."""
    return dataset_yaml(program("alpha", windows=f'- opens: "2026-11-{round + 1:02d}"'),
                        program("beta", track="applied",
                                windows=f'- opens: "2026-12-{round + 1:02d}"'))


LANES = 2
ROUNDS_PER_LANE = 26  # 52 rounds of two builds at once


@dataclass
class Watch:
    """The latest revision seen of every UID in every feed; what went backwards.

    Per feed, as its subscribers see it: while a build replaces its files one by one, two
    feeds may hold different revisions for a moment, but neither ever goes back.
    """

    last: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    backwards: list[str] = field(default_factory=list)
    # alpha's SEQUENCE in all.ics after each round.
    after_round: list[int] = field(default_factory=list)
    readings: int = 0

    def look(self, folder: Path) -> None:
        for path in sorted(folder.rglob("*.ics")):
            try:
                events = read_feed(path.read_bytes())
            except (OSError, ValueError):
                continue  # not there yet
            self.readings += 1
            feed = path.relative_to(folder).as_posix()
            for uid, seen in events.items():
                content = hashlib.sha256("\n".join(seen.content).encode()).hexdigest()
                before = self.last.get((feed, uid))
                if before is not None and (seen.sequence < before[0] or (
                        seen.sequence == before[0] and content != before[1])):
                    self.backwards.append(f"{uid}: {before[0]} then {seen.sequence} "
                                          f"in {feed}")
                if before is None or seen.sequence >= before[0]:
                    self.last[feed, uid] = (seen.sequence, content)


def build(data: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "deadlinecal", "build", str(data), "-o",
                             str(folder), "--as-of", "2026-08-01"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def lane(root: Path, watch: Watch, failures: list[str]) -> None:
    root.mkdir()
    a, b = root / "a.yaml", root / "b.yaml"
    a.write_bytes(data_a(ROUNDS_PER_LANE))
    folder = root / "out"
    first = build(a, folder)
    if first.communicate()[0] or first.returncode != 0:
        failures.append("first build failed")
        return
    for round in range(ROUNDS_PER_LANE):
        # Both move alpha to a day it never had: whichever goes second must see the first's
        # revision and go one higher, so every round adds exactly 2.
        a.write_bytes(data_a(round))
        b.write_bytes(data_b(round))
        runs = [build(b, folder), build(a, folder)]
        while any(run.poll() is None for run in runs):
            watch.look(folder)
            time.sleep(0.002)
        for run in runs:
            _, errors = run.communicate()
            if run.returncode != 0:
                failures.append(errors.decode())
        watch.look(folder)
        watch.after_round.append(read_feed((folder / "all.ics").read_bytes())[ALPHA].sequence)


class TestConcurrentBuilds:
    def test_sequence_never_decreases_over_many_concurrent_rounds(self, tmp_path: Path
                                                                   ) -> None:
        watches = [Watch() for _ in range(LANES)]
        failures: list[str] = []
        threads = [threading.Thread(target=lane, args=(tmp_path / f"lane{n}", watches[n],
                                                       failures))
                   for n in range(LANES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert [watch.backwards for watch in watches] == [[]] * LANES
        # Every round moved alpha at least once and brought beta back: SEQUENCE climbed.
        rounds = list(range(1, ROUNDS_PER_LANE + 1))
        assert [watch.after_round for watch in watches] == [[2 * n for n in rounds]] * LANES
        assert all(watch.readings > ROUNDS_PER_LANE for watch in watches)


class TestReturningEvent:
    def test_an_event_dropped_and_brought_back_changed_goes_higher_never_back(
            self, tmp_path: Path) -> None:
        from click.testing import CliRunner

        from deadlinecal.cli import main

        data, out = tmp_path / "d.yaml", tmp_path / "out"
        beta = "t.beta.main.opens@deadlinecal"
        seen = []
        for contents in (data_b(0), data_a(0), data_b(1), data_a(1), data_b(1), data_b(2)):
            data.write_bytes(contents)
            result = CliRunner().invoke(main, ["build", str(data), "-o", str(out)])
            assert result.exit_code == 0, result.output
            events = read_feed((out / "all.ics").read_bytes())
            seen.append(events[beta].sequence if beta in events else None)
        # Back changed: one higher; back unchanged: the same; changed in place: one higher.
        assert seen == [0, None, 1, None, 1, 2]


FEED_ROUNDS = 20


def feed(data: Path, output: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "deadlinecal", "feed", str(data), "-o",
                             str(output)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class TestConcurrentFeeds:
    """`feed -o FILE` takes turns with another run into the same file, as `build` does."""

    def test_sequence_never_decreases_over_concurrent_feed_runs(self, tmp_path: Path
                                                                ) -> None:
        a, b, output = tmp_path / "a.yaml", tmp_path / "b.yaml", tmp_path / "mine.ics"
        a.write_bytes(data_a(FEED_ROUNDS))
        first = feed(a, output)
        first.communicate()
        assert first.returncode == 0
        watch, failures = Watch(), []
        for round in range(FEED_ROUNDS):
            a.write_bytes(data_a(round))
            b.write_bytes(data_b(round))
            runs = [feed(b, output), feed(a, output)]
            while any(run.poll() is None for run in runs):
                watch.look(tmp_path)
                time.sleep(0.002)
            for run in runs:
                _, errors = run.communicate()
                if run.returncode != 0:
                    failures.append(errors.decode())
            watch.look(tmp_path)
            watch.after_round.append(read_feed(output.read_bytes())[ALPHA].sequence)
        assert failures == []
        assert watch.backwards == []
        # Both runs of a round move alpha: the second sees the first's revision.
        assert watch.after_round == [2 * n for n in range(1, FEED_ROUNDS + 1)]
