"""Measure deadlinecal against the floor and two references; print one table.

Run it through `benchmarks/run` (which installs yaml2ics into .venv when it is missing).
Every figure comes from a subprocess of its own, so peak RSS (from wait4's rusage) is that
run's alone. Each measurement is repeated and the median kept: the machine may be busy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
PYTHON = sys.executable
DEADLINECAL = str(BIN / "deadlinecal")
YAML2ICS = str(BIN / "yaml2ics")
AS_OF = "2026-08-01"


@dataclass
class Run:
    wall: float
    rss_mb: float
    stdout: str


@dataclass
class Row:
    case: str
    size: str
    wall: float
    rss_mb: float
    events: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    note: str = ""


def run_rss(command: list[str], *, stdout: str | None = None) -> Run:
    """One subprocess: its wall time, its own peak RSS and its standard output.

    The peak RSS comes from GNU time when it is installed: a child forked straight from
    this (larger) Python process would report this process's RSS as its floor.
    """
    import time

    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryFile() as captured, tempfile.NamedTemporaryFile() as rss_file, \
            tempfile.TemporaryFile() as stderr:
        prefix = [timer, "-q", "-f", "%M", "-o", rss_file.name] if timer else []
        sink = open(stdout, "wb") if stdout else captured  # noqa: SIM115
        begun = time.perf_counter()
        # stderr goes to a file: a pipe nobody reads fills up with warnings and blocks.
        process = subprocess.Popen(prefix + command, stdout=sink, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - begun
        stderr.seek(0)
        errors = stderr.read()
        process.returncode = os.waitstatus_to_exitcode(status)
        if stdout:
            sink.close()
        captured.seek(0)
        text = captured.read().decode("utf-8", "replace")
        reported = Path(rss_file.name).read_text().strip().splitlines()
        rss_kb = float(reported[-1]) if timer and reported else usage.ru_maxrss
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n"
                         f"{errors.decode('utf-8', 'replace')[-2000:]}")
    return Run(wall=wall, rss_mb=rss_kb / 1024, stdout=text)


def median_run(command: list[str], repeat: int, before: object = None,
               stdout: str | None = None) -> Run:
    runs = []
    for _ in range(repeat):
        if callable(before):
            before()
        runs.append(run_rss(command, stdout=stdout))
    wall = statistics.median(r.wall for r in runs)
    rss = statistics.median(r.rss_mb for r in runs)
    return Run(wall=wall, rss_mb=rss, stdout=runs[-1].stdout)


def last_json(text: str) -> dict[str, float]:
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def dataset(size: int, cache: Path) -> Path:
    """The generated data file for `size`, regenerated only when generate.py changes."""
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    path = cache / f"programs-{size}-{digest}.yaml"
    if not path.exists():
        subprocess.run([PYTHON, str(HERE / "generate.py"), "-n", str(size), "-o", str(path)],
                       check=True)
        check = subprocess.run([DEADLINECAL, "validate", str(path), "--as-of", AS_OF],
                               capture_output=True, text=True)
        if check.returncode:
            path.unlink()
            raise SystemExit(f"generated data does not validate:\n{check.stderr[-2000:]}")
    return path


def count_events(folder: Path) -> int:
    return sum(p.read_bytes().count(b"BEGIN:VEVENT\r\n") for p in folder.rglob("*.ics"))


def fresh(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def installed_check() -> str:
    """Warn when the deadlinecal in .venv is not the code in src/ (a stale `pip install .`)."""
    import importlib.util

    spec = importlib.util.find_spec("deadlinecal")
    if spec is None or spec.origin is None:
        return "deadlinecal is not installed in this venv"
    installed = Path(spec.origin).parent
    source = ROOT / "src" / "deadlinecal"
    if installed.resolve() == source.resolve():
        return ""
    stale = [p.name for p in source.glob("*.py")
             if not (installed / p.name).exists()
             or (installed / p.name).read_bytes() != p.read_bytes()]
    if stale:
        return (f"WARNING: the installed deadlinecal differs from src/ ({', '.join(stale)}); "
                "run `.venv/bin/pip install .` first")
    return ""


def measure(args: argparse.Namespace) -> None:
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="dlc-bench-"))
    cache = HERE / ".cache"
    cache.mkdir(exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    notes: list[str] = []
    warning = installed_check()
    if warning:
        print(warning, file=sys.stderr)
        notes.append(warning)
    sizes = [int(s.replace("k", "000")) for s in args.sizes.split(",") if s]
    ref_sizes = {int(s.replace("k", "000")) for s in args.ref_sizes.split(",") if s and s != "none"}
    builds: dict[int, Row] = {}
    floors: dict[int, Row] = {}
    strict_floors: dict[int, Row] = {}
    y2rates: dict[int, float] = {}
    for size in sizes:
        data = dataset(size, cache)
        name = label(size)
        print(f"[{name}] data {data.stat().st_size / 1e6:.1f} MB", file=sys.stderr)
        out = work / f"build-{name}"
        build = median_run([DEADLINECAL, "build", str(data), "-o", str(out), "--as-of", AS_OF],
                           args.repeat, before=lambda out=out: fresh(out))
        events = count_events(out)
        staged = work / f"stages-{name}"
        fresh(staged)
        stage_run = run_rss([PYTHON, str(HERE / "cases.py"), "stages", str(data), str(staged)])
        stage = last_json(stage_run.stdout)
        row = Row("deadlinecal build", name, build.wall, build.rss_mb, events, stage)
        rows.append(row)
        builds[size] = row
        print(f"[{name}] build {build.wall:.2f}s", file=sys.stderr)
        # A rebuild into the same folder with the same data.
        rebuild_stage = last_json(run_rss([PYTHON, str(HERE / "cases.py"), "stages", str(data),
                                           str(out)]).stdout)
        rebuild = median_run([DEADLINECAL, "build", str(data), "-o", str(out), "--as-of", AS_OF],
                             args.repeat)
        written = next((line for line in rebuild.stdout.splitlines() if " written," in line), "")
        rows.append(Row("  rebuild, data unchanged", name, rebuild.wall, rebuild.rss_mb, 0,
                        rebuild_stage, note=written.strip().split(": ", 1)[-1].split(",")[0]))

        for command, title in (("floor", "floor (CSafeLoader + str formatting)"),
                               ("floor-strict", "strict floor (GC off, bytes formatting)")):
            floor_out = work / f"{command}-{name}"
            floor_runs = []
            for _ in range(args.repeat):
                fresh(floor_out)
                result = run_rss([PYTHON, str(HERE / "cases.py"), command, str(data), str(out),
                                  str(floor_out)])
                info = last_json(result.stdout)
                floor_runs.append((result.wall - info["prep"], result.rss_mb, info))
            wall = statistics.median(r[0] for r in floor_runs)
            info = floor_runs[-1][2]
            floor = Row(title, name, wall, statistics.median(r[1] for r in floor_runs), events,
                        {"load": info["parse"], "write": info["write"]},
                        note="" if info["same_bytes"] else "BYTES DIFFER")
            rows.append(floor)
            (floors if command == "floor" else strict_floors)[size] = floor
            print(f"[{name}] {command} {wall:.2f}s", file=sys.stderr)

        if size in ref_sizes:
            naive_out = work / f"naive-{name}"
            fresh(naive_out)
            result = run_rss([PYTHON, str(HERE / "cases.py"), "naive", str(data), str(naive_out)])
            info = last_json(result.stdout)
            rows.append(Row("naive icalendar (all feeds)", name, result.wall, result.rss_mb,
                            int(info["events"]), {"render": info["render_write"]}))
            print(f"[{name}] naive {result.wall:.2f}s", file=sys.stderr)
            y2_in = work / f"yaml2ics-{name}.yaml"
            info = last_json(run_rss([PYTHON, str(HERE / "cases.py"), "yaml2ics-input", str(data),
                                      str(y2_in)]).stdout)
            result = run_rss([YAML2ICS, str(y2_in)], stdout=str(work / f"yaml2ics-{name}.ics"))
            rows.append(Row("yaml2ics (one feed: all)", name, result.wall, result.rss_mb,
                            int(info["events"])))
            y2rates[size] = info["events"] / result.wall
            print(f"[{name}] yaml2ics {result.wall:.2f}s", file=sys.stderr)

    startup = work / "default"
    default = ROOT / "data" / "ml-internships-summer-2027.yaml"
    bare = median_run([PYTHON, "-c", "import icalendar, yaml, click, dateutil"], args.repeat * 3)
    help_run = median_run([DEADLINECAL, "--help"], args.repeat * 3)
    build_default = [DEADLINECAL, "build", str(default), "-o", str(startup), "--as-of", AS_OF]
    default_build = median_run(build_default, args.repeat * 3, before=lambda: fresh(startup))
    default_rebuild = median_run(build_default, args.repeat * 3)  # the folder is current now
    rows.append(Row("python -c 'import icalendar, yaml, click, dateutil'", "-", bare.wall,
                    bare.rss_mb))
    rows.append(Row("deadlinecal --help", "-", help_run.wall, help_run.rss_mb))
    rows.append(Row("deadlinecal build (default data, empty folder)", "18", default_build.wall,
                    default_build.rss_mb, count_events(startup)))
    rows.append(Row("deadlinecal build (default data, folder current)", "18",
                    default_rebuild.wall, default_rebuild.rss_mb))
    heavy = help_imports()

    print_table(rows, builds, floors, strict_floors, y2rates, bare.wall, help_run.wall,
                default_build.wall, default_rebuild.wall, heavy, notes)
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


def help_imports() -> list[str]:
    """Third-party or heavy modules that `deadlinecal --help` imports."""
    result = subprocess.run([PYTHON, "-X", "importtime", "-c",
                             "import sys; sys.argv=['deadlinecal','--help'];"
                             "from deadlinecal.cli import main; main()"],
                            capture_output=True, text=True)
    names = set()
    for line in result.stderr.splitlines():
        if "|" in line and line.startswith("import time:"):
            names.add(line.rsplit("|", 1)[-1].strip())
    watch = ("icalendar", "yaml", "dateutil", "zoneinfo", "deadlinecal.render",
             "deadlinecal.validate", "deadlinecal.expand", "deadlinecal.pipeline")
    return sorted(n for n in names if n in watch)


def print_table(rows: list[Row], builds: dict[int, Row], floors: dict[int, Row],
                strict_floors: dict[int, Row], y2rates: dict[int, float], bare: float,
                help_wall: float, default: float, default_again: float, heavy: list[str],
                notes: list[str]) -> None:
    stages = ("load", "validate", "expand", "render", "write")
    head = (f"| {'case':<52} | {'size':>4} | {'wall s':>7} | {'peak RSS MB':>11} | "
            + " | ".join(f"{s:>8}" for s in stages) + f" | {'events':>9} | {'events/s':>9} |")
    print()
    print(head)
    print("|" + "|".join("-" * len(part) for part in head.split("|")[1:-1]) + "|")
    for row in rows:
        cells = [f"{row.stages[s]:8.3f}" if s in row.stages else f"{'':>8}" for s in stages]
        rate = f"{row.events / row.wall:9,.0f}" if row.events else f"{'':>9}"
        case = row.case + (f" [{row.note}]" if row.note else "")
        print(f"| {case:<52} | {row.size:>4} | {row.wall:7.3f} | {row.rss_mb:11.1f} | "
              + " | ".join(cells) + f" | {row.events or '':>9} | {rate} |")
    print()
    print("Targets (ratios from this run):")
    for size, build in builds.items():
        print(f"  {label(size)}: build / floor = {build.wall / floors[size].wall:.2f}x, "
              f"build / strict floor = {build.wall / strict_floors[size].wall:.2f}x"
              + ("   (target <= 1.5x at 10k)" if size == 10000 else ""))
    if 10000 in builds and y2rates:
        rate = builds[10000].events / builds[10000].wall
        for size, y2 in sorted(y2rates.items()):
            print(f"  10k events/s / yaml2ics events/s at {label(size)} = {rate / y2:.1f}x"
                  "   (target >= 20x)")
    if 10000 in builds and 50000 in builds:
        print(f"  50k time / 10k time = {builds[50000].wall / builds[10000].wall:.2f}x"
              "   (target <= 5.5x)")
        print(f"  50k peak RSS = {builds[50000].rss_mb:.0f} MB   (target < 1024 MB)")
    print(f"  default-data build / bare import line = {default / bare:.2f}x into an empty "
          f"folder, {default_again / bare:.2f}x when the folder is current   (target <= 1.5x)")
    print(f"  --help / bare import line = {help_wall / bare:.2f}x; heavy modules --help imports: "
          f"{', '.join(heavy) or 'none'}")
    print()
    print(f"Machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}; "
          "wall and RSS are medians of the repeats.")
    for note in notes:
        print(note)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,50k",
                        help="program counts to build (default 1k,10k,50k)")
    parser.add_argument("--ref-sizes", default="1k",
                        help="sizes at which the slow references (naive icalendar, yaml2ics) "
                        "also run (default 1k; they take minutes at 10k)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--workdir", help="keep outputs here instead of a temporary folder")
    measure(parser.parse_args())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
