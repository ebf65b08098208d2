"""Run `deadlinecal serve` as the real command, on a free port, for tests that need a client."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

FIRST_LINE = re.compile(r"Serving .* at http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\.\n")


class Running(NamedTuple):
    port: int
    pid: int


@contextmanager
def served(root: Path, log: Path, *, open_files: int | None = None) -> Iterator[Running]:
    """`deadlinecal serve root --port 0` running until the block ends; yields port and pid.

    Its stderr (the request log) goes to the file `log`, so a long log never blocks it.
    `open_files`: start it with this soft limit on open files (as `ulimit -Sn` would).
    """
    command = [sys.executable, "-m", "deadlinecal", "serve", str(root), "--port", "0"]
    if open_files is not None:
        command = ["bash", "-c", f'ulimit -Sn {open_files} && exec "$@"', "bash", *command]
    with log.open("w") as errors:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=errors, text=True)
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = FIRST_LINE.fullmatch(first)
            assert match, first + log.read_text()
            yield Running(int(match[1]), process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
