"""Builds at once take turns: SEQUENCE never goes down, whatever order they finish in.

Real processes run the CLI in parallel on the same folder (two data files that disagree
about an event, one of them with an event the other lacks), round after round, while the
test reads every feed as often as it can. Subscribers ignore a revision whose SEQUENCE is
not higher than the one they hold, so every reading must show, for every UID, a SEQUENCE at
least as high as any seen before, and a higher one whenever the content changed.
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

A = dataset_yaml(program("alpha", windows='- opens: "2026-10-14"'))
# Moves alpha, and adds beta, which every build of A then drops again.
B = dataset_yaml(program("alpha", windows='- opens: "2026-10-15"'),
                 program("beta", track="applied", windows='- opens: "2026-11-02"'))
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
    readings: int = 0
    rounds: int = 0

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

    def highest(self, uid: str) -> int:
        return max(revision[0] for (_, seen), revision in self.last.items() if seen == uid)


def build(data: Path, folder: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "deadlinecal", "build", str(data), "-o",
                             str(folder), "--as-of", "2026-08-01"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def lane(root: Path, watch: Watch, failures: list[str]) -> None:
    root.mkdir()
    a, b = root / "a.yaml", root / "b.yaml"
    a.write_bytes(A)
    b.write_bytes(B)
    folder = root / "out"
    first = build(a, folder)
    if first.communicate()[0] or first.returncode != 0:
        failures.append("first build failed")
        return
    for _ in range(ROUNDS_PER_LANE):
        runs = [build(b, folder), build(a, folder)]
        while any(run.poll() is None for run in runs):
            watch.look(folder)
            time.sleep(0.002)
        for run in runs:
            _, errors = run.communicate()
            if run.returncode != 0:
                failures.append(errors.decode())
        watch.look(folder)
        watch.rounds += 1


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
        assert [watch.rounds for watch in watches] == [ROUNDS_PER_LANE] * LANES
        assert all(watch.highest("t.alpha.main.opens@deadlinecal") >= ROUNDS_PER_LANE
                   for watch in watches), [watch.last for watch in watches]
        assert all(watch.readings > ROUNDS_PER_LANE for watch in watches)
