"""Where a build's time and memory go: cProfile or tracemalloc around `deadlinecal build`.

    python benchmarks/profile_build.py cpu DATA OUT [N]
        the N functions with the most own time, and own time per file
    python benchmarks/profile_build.py memory DATA OUT [N]
        per stage: traced peak above its start and what it keeps; the N biggest
        allocation sites alive when writing starts

Both run the real command in-process (tracemalloc makes it 2-3x slower; the proportions
hold). The stages are those of `cases.py stages`. docs/performance.md quotes the output.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from collections import defaultdict

from cases import AS_OF, stage_functions


def run(data: str, out: str) -> None:
    from deadlinecal.cli import main

    main(["build", data, "-o", out, "--as-of", AS_OF], standalone_mode=False)


def cpu(data: str, out: str, top: int) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    begun = time.perf_counter()
    profiler.runcall(run, data, out)
    print(f"total {time.perf_counter() - begun:.2f} s under cProfile")
    stats = pstats.Stats(profiler)
    by_module: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        name = filename.split("site-packages/")[-1].split("/src/")[-1]
        by_module[name] += own
    print("\nown time by file:")
    for name, own in sorted(by_module.items(), key=lambda item: -item[1])[:top]:
        print(f"  {own:7.2f} s  {name}")
    print()
    stats.sort_stats("tottime").print_stats(top)


def memory(data: str, out: str, top: int) -> None:

    stack: list[list[object]] = []  # [stage, current at entry, peak so far]
    seen: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    alive: list[tracemalloc.Snapshot] = []

    def wrap(holder: object, name: str, stage: str) -> None:
        original = getattr(holder, name, None)
        if original is None:
            return

        def traced(*args: object, **kwargs: object) -> object:
            current, peak = tracemalloc.get_traced_memory()
            if stack:
                stack[-1][2] = max(stack[-1][2], peak)  # type: ignore[call-overload]
            if stage == "write" and not alive:
                alive.append(tracemalloc.take_snapshot())
            tracemalloc.reset_peak()
            stack.append([stage, current, current])
            try:
                return original(*args, **kwargs)
            finally:
                _, entry, peak_so_far = stack.pop()
                now, peak = tracemalloc.get_traced_memory()
                peak = max(peak, peak_so_far)  # type: ignore[call-overload]
                record = seen[stage]
                record[0] = max(record[0], (peak - entry) / 2**20)  # type: ignore[operator]
                record[1] += (now - entry) / 2**20  # type: ignore[operator]
                if stack:
                    stack[-1][2] = max(stack[-1][2], peak)  # type: ignore[call-overload]

        setattr(holder, name, traced)

    for holder, name, stage in stage_functions():
        wrap(holder, name, stage)
    tracemalloc.start()
    run(data, out)
    print(f"traced peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB (Python "
          "allocations only; RSS adds the allocator's arenas and the interpreter)")
    print("\nstage            peak above entry   kept after")
    for stage, (peak, kept) in seen.items():
        print(f"  {stage:<14} {peak:10.0f} MiB {kept:10.0f} MiB")
    if alive:
        print(f"\nbiggest allocation sites alive when writing starts (top {top}):")
        for stat in alive[0].statistics("lineno")[:top]:
            frame = stat.traceback[0]
            name = frame.filename.split("site-packages/")[-1].split("/src/")[-1]
            print(f"  {stat.size / 2**20:8.1f} MiB {stat.count:9,} blocks  {name}:{frame.lineno}")


def main() -> int:
    mode, data, out, *rest = sys.argv[1:]
    top = int(rest[0]) if rest else 25
    {"cpu": cpu, "memory": memory}[mode](data, out, top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
