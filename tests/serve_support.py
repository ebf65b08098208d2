"""Run `deadlinecal serve` as the real command, on a free port, for tests that need a client."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIRST_LINE = re.compile(r"Serving .* at http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\.\n")


@contextmanager
def served(root: Path, log: Path) -> Iterator[int]:
    """`deadlinecal serve root --port 0` running until the block ends; yields its port.

    Its stderr (the request log) goes to the file `log`, so a long log never blocks it.
    """
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "deadlinecal", "serve", str(root), "--port", "0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True)
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = FIRST_LINE.fullmatch(first)
            assert match, first + log.read_text()
            yield int(match[1])
        finally:
            process.terminate()
            process.wait(timeout=10)
            if process.stdout is not None:
                process.stdout.close()
