"""Run one command; write its wall time and its own peak RSS (wait4's ru_maxrss) as JSON.

    python -I -S benchmarks/peak.py RESULT.json STDOUT STDERR COMMAND [ARG ...]

bench.py starts every measured program through this small interpreter rather than forking
it from itself: a forked child counts its parent's resident pages until it execs, so a
child of a large parent would report at least the parent's size as its peak.
"""

import json
import os
import sys
import time


def main() -> int:
    result, stdout, stderr, *command = sys.argv[1:]
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out, err = os.open(stdout, flags, 0o644), os.open(stderr, flags, 0o644)
    begun = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(out, 1)
            os.dup2(err, 2)
            os.execv(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - begun
    # Linux reports kilobytes, macOS bytes.
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    with open(result, "w") as handle:
        json.dump({"wall": wall, "rss_mb": peak_mb,
                   "status": os.waitstatus_to_exitcode(status)}, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
