"""How much reading the previous feeds back (SEQUENCE/LAST-MODIFIED) costs a build.

Run: .venv/bin/python benchmarks/rebuild_history.py [PROGRAMS]
Builds a synthetic dataset of PROGRAMS programs once from scratch, then again against its
own output (the usual no-change rebuild), then against output where every date moved.
"""

from __future__ import annotations

import sys
import time

from deadlinecal.site import build_all

HEAD = """\
format: 1
dataset:
  id: bench
  title: Benchmark
  cycle: {starts: "2026-07-01", ends: "2027-09-30"}
  source: {name: synthetic}
  updated: "2026-07-31"
tracks: {research: {title: Research}, applied: {title: Applied}}
eligibility: {undergrad: {title: Undergraduates}, phd: {title: PhD students}}
programs:
"""


def dataset(count: int, month: str) -> bytes:
    body = "".join(
        f"  - id: p{i}\n    employer: E{i % 50}\n    program: Program {i}\n"
        f"    track: {'research' if i % 2 else 'applied'}\n    eligibility: [undergrad]\n"
        f"    last_verified: \"2026-07-31\"\n    windows:\n      - key: summer-2027\n"
        f"        opens: \"mid 2026-{month}\"\n        closes: \"2026-11-30\"\n"
        for i in range(count))
    return (HEAD + body).encode()


def timed(label: str, run: object) -> object:
    start = time.perf_counter()
    result = run()  # type: ignore[operator]
    print(f"{label:<44} {time.perf_counter() - start:7.3f} s")
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    first, moved = dataset(count, "09"), dataset(count, "10")
    print(f"{count} programs")
    built = timed("fresh build (no previous feeds)",
                  lambda: build_all(["d.yaml"], {"d.yaml": first}.__getitem__))
    files = built.files  # type: ignore[attr-defined]
    print(f"{'  feeds / bytes':<44} {len(files)} / {sum(map(len, files.values())):,}")
    timed("rebuild, no change (previous read back)",
          lambda: build_all(["d.yaml"], {"d.yaml": first}.__getitem__, previous=files))
    timed("rebuild, every opening moved",
          lambda: build_all(["d.yaml"], {"d.yaml": moved}.__getitem__, previous=files))


if __name__ == "__main__":
    main()
