"""Measure deadlinecal against an honest floor and two references; print the targets.

Run it through `benchmarks/run`, which installs the `bench` extra (yaml2ics) when missing.
Every figure comes from a program of its own, started through peak.py, so its peak RSS is
its own. Runs are interleaved: each round runs every size's build and floor (alternating
which goes first), at the reference sizes yaml2ics, and the import + build of a generated
posting list against its floor (postings.py); a ratio is computed per round and reported
as min / median / max over the rounds. Targets are judged on the median.
See docs/performance.md for what each row means.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEADLINECAL = str(BIN / "deadlinecal")
YAML2ICS = str(BIN / "yaml2ics")
AS_OF = "2026-08-01"
DEFAULT_DATA = ROOT / "data" / "ml-internships-summer-2027.yaml"
BARE = "import yaml, click"


@dataclass
class Sample:
    wall: float
    rss_mb: float
    stdout: str = ""


@dataclass
class Series:
    """Repeated runs of one case at one size."""

    case: str
    size: str
    samples: list[Sample] = field(default_factory=list)
    events: int = 0  # distinct events the case writes
    note: str = ""

    def walls(self) -> list[float]:
        return [s.wall for s in self.samples]

    def rss(self) -> list[float]:
        return [s.rss_mb for s in self.samples]


class Workspace:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def spawn(self, command: list[str], *, stdout: Path | None = None) -> Sample:
        """Run `command` through peak.py; its wall time, peak RSS and standard output."""
        self.count += 1
        logs = self.folder / "logs"
        logs.mkdir(exist_ok=True)
        result = logs / f"{self.count}.json"
        out = stdout or logs / f"{self.count}.out"
        err = logs / f"{self.count}.err"
        subprocess.run([PYTHON, "-I", "-S", str(HERE / "peak.py"), str(result), str(out),
                        str(err), *command], check=True)
        measured = json.loads(result.read_text())
        if measured["status"]:
            raise SystemExit(f"failed ({measured['status']}): {' '.join(command)}\n"
                             f"{err.read_text(errors='replace')[-2000:]}")
        text = "" if stdout else out.read_text(errors="replace")
        return Sample(measured["wall"], measured["rss_mb"], text)


def last_json(text: str) -> dict:  # type: ignore[type-arg]
    return json.loads(text.strip().splitlines()[-1])  # type: ignore[no-any-return]


def parse_size(text: str) -> int:
    return int(float(text[:-1]) * 1000) if text.endswith("k") else int(text)


def label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """`median (min–max)`, or the single value."""
    if not values:
        return "-"
    middle = fmt.format(statistics.median(values))
    if len(values) == 1:
        return middle
    return f"{middle} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def dataset(size: int, work: Workspace) -> Path:
    """The generated data file for `size`, cached until generate.py changes."""
    digest = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    cache = ROOT / ".cache" / "bench"
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"programs-{size}-{digest}.yaml"
    if not path.exists():
        partial = path.with_suffix(".partial")
        subprocess.run([PYTHON, str(HERE / "generate.py"), "-n", str(size), "-o",
                        str(partial)], check=True)
        partial.replace(path)
    return path


def tree_state(folder: Path) -> dict[str, tuple[int, int, int]]:
    """(inode, size, mtime) of every file under `folder`: what a write would change."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_size,
                                                p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Size:
    size: int
    data: Path
    plan: dict  # type: ignore[type-arg]
    plan_file: Path
    build: Series
    floor: Series
    yaml2ics: Series | None = None
    naive: Series | None = None
    checks: list[str] = field(default_factory=list)
    stages: dict = field(default_factory=dict)  # type: ignore[type-arg]
    rebuild: Sample | None = None
    rebuild_wrote_nothing: bool | None = None
    bytes_build: int = 0
    bytes_floor: int = 0


@dataclass
class PostingList:
    """A generated posting list: `import simplify` + `build` of it, against its floor."""

    count: int
    listing: Path
    ours: Series
    floor: Series
    imports: list[float] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)


# The posting floor runs postings.py imported, not as a script, so that it too starts
# from cached bytecode (postings.py explains).
POSTING_FLOOR = ("import sys; sys.path.insert(0, sys.argv[1]); import postings; "
                 "postings.main(sys.argv[2:])")


def posting_list(count: int, folder: Path) -> PostingList:
    listing = folder / f"postings-{count}.json"
    subprocess.run([PYTHON, str(HERE / "postings.py"), "generate", str(count), str(listing)],
                   check=True)
    name = label(count)
    return PostingList(count, listing, Series("import + build (posting list)", name),
                       Series("posting floor", name))


def run_posting_pair(case: PostingList, work: Workspace, folder: Path, first: bool) -> None:
    """A first import of the list into a new data file, then a build of it."""
    data = folder / "postings.yaml"
    data.unlink(missing_ok=True)
    out = fresh(folder / ("postings-built" if first else "postings-scratch"))
    imported = work.spawn([DEADLINECAL, "import", "simplify", str(case.listing), "-o",
                           str(data)])
    built = work.spawn([DEADLINECAL, "build", str(data), "-o", str(out), "--max-age",
                        "100000"])
    case.imports.append(imported.wall)
    case.ours.samples.append(Sample(imported.wall + built.wall,
                                    max(imported.rss_mb, built.rss_mb)))


def run_posting_floor(case: PostingList, work: Workspace, folder: Path) -> None:
    sample = work.spawn([PYTHON, "-c", POSTING_FLOOR, str(HERE), "floor", str(case.listing),
                         str(folder / "postings.yaml"), str(folder / "postings-built"),
                         str(fresh(folder / "postings-floor"))])
    info = last_json(sample.stdout)
    sample.wall -= info["prep"]  # cutting the built files into events is not the floor's
    case.floor.samples.append(sample)
    if not info["same_bytes"] and not case.checks:
        case.checks.append("POSTING FLOOR DIFFERS from the build's bytes")


def posting_round(case: PostingList, work: Workspace, folder: Path, round_number: int
                  ) -> None:
    """One interleaved round; round 1 builds first, as the floor copies that output."""
    if round_number % 2:
        run_posting_pair(case, work, folder, round_number == 1)
        run_posting_floor(case, work, folder)
    else:
        run_posting_floor(case, work, folder)
        run_posting_pair(case, work, folder, False)
    if round_number == 1 and not case.checks:
        case.checks.append(f"posting list of {case.count:,}: the floor wrote the build's "
                           "files byte for byte")
    progress(f"[postings {label(case.count)}] round {round_number}: import + build "
             f"{case.ours.samples[-1].wall:.2f} s, floor {case.floor.samples[-1].wall:.2f} s")


def build_command(data: Path, out: Path) -> list[str]:
    return [DEADLINECAL, "build", str(data), "-o", str(out), "--as-of", AS_OF]


def run_build(entry: Size, work: Workspace, out: Path) -> None:
    sample = work.spawn(build_command(entry.data, fresh(out)))
    found = re.search(r"(\d+) events\.", sample.stdout)
    entry.build.events = int(found[1]) if found else 0
    entry.build.samples.append(sample)


def run_floor(entry: Size, work: Workspace, built: Path, out: Path) -> dict:  # type: ignore[type-arg]
    sample = work.spawn([PYTHON, str(HERE / "floor.py"), str(entry.data), str(entry.plan_file),
                         str(built), str(fresh(out))])
    info = last_json(sample.stdout)
    sample.wall -= info["prep"]  # reading the plan is not the floor's work
    entry.floor.samples.append(sample)
    return info  # type: ignore[no-any-return]


def verify(entry: Size, work: Workspace, built: Path, floor_out: Path,
           floor_info: dict) -> None:  # type: ignore[type-arg]
    """The floor wrote each feed with exactly the build's events (counts and UIDs)."""
    result = last_json(work.spawn([PYTHON, str(HERE / "cases.py"), "compare", str(built),
                                   str(floor_out)]).stdout)
    planned = entry.plan["counts"]
    if result["differ"]:
        entry.checks.append(f"FLOOR DIFFERS from the build in {', '.join(result['differ'])}")
    elif floor_info["counts"] != planned or result["counts"] != planned:
        entry.checks.append("FLOOR COUNTS DIFFER from the build's")
    else:
        entry.checks.append(f"{len(planned)} feeds: the floor wrote the same events (UIDs) "
                            f"as the build in each, {sum(planned.values()):,} in all")
    entry.bytes_build = result["bytes_built"]
    entry.bytes_floor = result["bytes_other"]


def measure(args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    folder = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="dlc-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    work = Workspace(folder)
    sizes = [parse_size(s) for s in args.sizes.split(",") if s]
    ref_sizes = {parse_size(s) for s in args.ref_sizes.split(",") if s and s != "none"}
    naive_sizes = {parse_size(s) for s in args.naive_sizes.split(",") if s and s != "none"}
    have_yaml2ics = Path(YAML2ICS).exists()
    load_before = os.getloadavg()
    entries: list[Size] = []
    for size in sizes:
        name = label(size)
        data = dataset(size, work)
        plan_file = folder / f"plan-{name}.bin"
        plan = last_json(work.spawn([PYTHON, str(HERE / "cases.py"), "plan", str(data),
                                     str(plan_file)]).stdout)
        entry = Size(size, data, plan, plan_file, Series("deadlinecal build", name),
                     Series("floor", name, events=plan["events"]))
        if size in naive_sizes:
            entry.naive = Series("naive icalendar", name)
        if size in ref_sizes and have_yaml2ics:
            entry.yaml2ics = Series("yaml2ics", name, events=plan["events"],
                                    note="one feed, no reminders")
            work.spawn([PYTHON, str(HERE / "cases.py"), "yaml2ics-input", str(data),
                        str(folder / f"yaml2ics-{name}.yaml")])
        entries.append(entry)
        progress(f"[{name}] {data.stat().st_size / 1e6:.1f} MB of data, "
                 f"{plan['events']:,} distinct events")

    postings = (posting_list(parse_size(args.postings), folder)
                if args.postings != "none" else None)
    for round_number in range(1, args.repeat + 1):
        for entry in entries:
            name = label(entry.size)
            built, scratch = folder / f"built-{name}", folder / f"scratch-{name}"
            floor_out = folder / f"floor-{name}"
            # Round 1 builds first: the floor copies each feed's header from that output.
            if round_number % 2:
                run_build(entry, work, built if round_number == 1 else scratch)
                info = run_floor(entry, work, built, floor_out)
            else:
                info = run_floor(entry, work, built, floor_out)
                run_build(entry, work, scratch)
            if round_number == 1:
                verify(entry, work, built, floor_out, info)
            if entry.yaml2ics is not None:
                sample = work.spawn([YAML2ICS, str(folder / f"yaml2ics-{name}.yaml")],
                                    stdout=folder / f"yaml2ics-{name}.ics")
                entry.yaml2ics.samples.append(sample)
            if entry.naive is not None:
                sample = work.spawn([PYTHON, str(HERE / "cases.py"), "naive", str(entry.data),
                                     str(fresh(folder / f"naive-{name}"))])
                entry.naive.events = int(last_json(sample.stdout)["events"])
                entry.naive.note = f"{last_json(sample.stdout)['occurrences']:,} serialized"
                entry.naive.samples.append(sample)
            progress(f"[{name}] round {round_number}: build {entry.build.samples[-1].wall:.2f} s"
                     f", floor {entry.floor.samples[-1].wall:.2f} s")
        if postings is not None:
            posting_round(postings, work, folder, round_number)

    for entry in entries:
        name = label(entry.size)
        built = folder / f"built-{name}"
        before = tree_state(built)
        entry.rebuild = work.spawn(build_command(entry.data, built))
        written = re.search(r"(\d+) written", entry.rebuild.stdout)
        entry.rebuild_wrote_nothing = bool(written and written[1] == "0"
                                           and tree_state(built) == before)
        if not args.no_stages:
            entry.stages = last_json(work.spawn([
                PYTHON, str(HERE / "cases.py"), "stages", str(entry.data),
                str(fresh(folder / f"stages-{name}"))]).stdout)
    startup = measure_startup(work, folder, args.startup_repeat)
    results = {"entries": entries, "startup": startup, "load": (load_before, os.getloadavg()),
               "have_yaml2ics": have_yaml2ics, "postings": postings}
    if not args.workdir:
        shutil.rmtree(folder, ignore_errors=True)
    return results


def measure_startup(work: Workspace, folder: Path, repeat: int) -> dict[str, Series]:
    """Interleaved: the bare import line, the default build into an empty and a current
    folder, and `--help`."""
    cases = {
        "bare": Series(f"python -c '{BARE}'", "-"),
        "empty": Series("build default data, empty folder", "-"),
        "current": Series("build default data, folder current", "-"),
        "help": Series("deadlinecal --help", "-"),
    }
    out = folder / "default"
    for _ in range(repeat):
        cases["bare"].samples.append(work.spawn([PYTHON, "-c", BARE]))
        cases["empty"].samples.append(work.spawn(build_command(DEFAULT_DATA, fresh(out))))
        cases["current"].samples.append(work.spawn(build_command(DEFAULT_DATA, out)))
        cases["help"].samples.append(work.spawn([DEADLINECAL, "--help"]))
    return cases


def ratios(top: list[float], bottom: list[float]) -> list[float]:
    return [a / b for a, b in zip(top, bottom, strict=False) if b]


def targets(results: dict) -> list[tuple[str, str, str, bool | None]]:  # type: ignore[type-arg]
    """(target, measured, goal, met) rows; met is None when the run did not measure it."""
    by_size = {entry.size: entry for entry in results["entries"]}
    rows: list[tuple[str, str, str, bool | None]] = []

    def judged(name: str, values: list[float], goal: str, ok: object, fmt: str = "{:.2f}×"
               ) -> None:
        if not values:
            rows.append((name, "not measured", goal, None))
            return
        rows.append((name, spread(values, fmt), goal, bool(ok(statistics.median(values)))))  # type: ignore[operator]

    ten, fifty = by_size.get(10000), by_size.get(50000)
    judged("10k build / floor (time)",
           ratios(ten.build.walls(), ten.floor.walls()) if ten else [], "≤ 1.5×",
           lambda v: v <= 1.5)
    judged("50k build peak RSS", fifty.build.rss() if fifty else [], "< 1024 MB",
           lambda v: v < 1024, "{:.0f} MB")
    judged("50k build / floor (peak RSS)",
           ratios(fifty.build.rss(), fifty.floor.rss()) if fifty else [], "≤ 1.3×",
           lambda v: v <= 1.3)
    judged("50k build time / 10k build time",
           ratios(fifty.build.walls(), ten.build.walls()) if fifty and ten else [], "≤ 5.5×",
           lambda v: v <= 5.5)
    referenced = [e for e in results["entries"] if e.yaml2ics and e.yaml2ics.samples]
    ref = next((e for e in referenced if e.size == 10000), referenced[-1] if referenced else None)
    judged(f"distinct events/s, build / yaml2ics{f' ({label(ref.size)})' if ref else ''}",
           ratios(ref.yaml2ics.walls(), ref.build.walls()) if ref and ref.yaml2ics else [],
           "≥ 20×", lambda v: v >= 20, "{:.1f}×")
    for entry in results["entries"]:
        rows.append((f"{label(entry.size)} rebuild, data unchanged, writes nothing",
                     "0 files written" if entry.rebuild_wrote_nothing else "files written",
                     "nothing written", bool(entry.rebuild_wrote_nothing)))
    startup = results["startup"]
    judged(f"default-data build / python -c '{BARE}'",
           ratios(startup["empty"].walls(), startup["bare"].walls()), "≤ 2.5×",
           lambda v: v <= 2.5)
    judged(f"default-data unchanged rebuild / python -c '{BARE}'",
           ratios(startup["current"].walls(), startup["bare"].walls()), "≤ 1.5×",
           lambda v: v <= 1.5)
    postings = results.get("postings")
    judged(f"posting list of {f'{postings.count:,}' if postings else '6,000'}: "
           "import + build / floor",
           ratios(postings.ours.walls(), postings.floor.walls()) if postings else [], "≤ 2×",
           lambda v: v <= 2)
    return rows


def series_rows(results: dict) -> list[Series]:  # type: ignore[type-arg]
    rows: list[Series] = []
    for entry in results["entries"]:
        rows += [entry.build, entry.floor]
        rows += [s for s in (entry.yaml2ics, entry.naive) if s is not None and s.samples]
        if entry.rebuild is not None:
            rows.append(Series("  rebuild, data unchanged", label(entry.size), [entry.rebuild]))
    postings = results.get("postings")
    if postings is not None:
        rows += [postings.ours, postings.floor]
    return rows + list(results["startup"].values())


def report(results: dict, args: argparse.Namespace) -> str:  # type: ignore[type-arg]
    lines = ["| case | size | runs | wall s: median (min–max) | peak RSS MB | "
             "distinct events | distinct events/s |", "|---|---|---|---|---|---|---|"]
    for series in series_rows(results):
        rate = spread([series.events / w for w in series.walls()], "{:,.0f}") \
            if series.events else ""
        case = series.case + (f" ({series.note})" if series.note else "")
        lines.append(f"| {case} | {series.size} | {len(series.samples)} | "
                     f"{spread(series.walls())} | {spread(series.rss(), '{:.0f}')} | "
                     f"{f'{series.events:,}' if series.events else ''} | {rate} |")
    lines += ["", "| target | measured: median (min–max) | goal | met |", "|---|---|---|---|"]
    for name, value, goal, met in targets(results):
        verdict = "not measured" if met is None else "met" if met else "**NOT MET**"
        lines.append(f"| {name} | {value} | {goal} | {verdict} |")
    lines.append("")
    for entry in results["entries"]:
        lines += [f"{label(entry.size)}: {check}" for check in entry.checks]
        if entry.bytes_build:
            lines.append(f"{label(entry.size)}: bytes written, floor / build = "
                         f"{entry.bytes_floor / 1e6:,.1f} / {entry.bytes_build / 1e6:,.1f} MB "
                         "(the build's subscribe page lists every program)")
    if results.get("postings") is not None:
        lines += results["postings"].checks
    lines += stage_report(results)
    before, after = results["load"]
    lines += ["", f"Machine: {os.cpu_count()} CPUs, {cpu_model()}, Python "
              f"{platform.python_version()}, {platform.system()}; load average "
              f"{before[0]:.1f} before, {after[0]:.1f} after; "
              f"{args.repeat} interleaved round{'s' if args.repeat != 1 else ''}."]
    if not results["have_yaml2ics"]:
        lines.append("yaml2ics is not installed: `benchmarks/run` installs the bench extra.")
    return "\n".join(lines)


def stage_report(results: dict) -> list[str]:  # type: ignore[type-arg]
    staged = [e for e in results["entries"] if e.stages]
    if not staged:
        return []
    names: list[str] = []
    for entry in staged:
        names += [n for n in entry.stages["order"] if n not in names]
    lines = ["", "Stages of one more build per size (own seconds, each excluding the stages it "
             "calls / peak RSS MB at its end):", "",
             "| size | start-up | " + " | ".join(names) + " | total |",
             "|---|---|" + "---|" * len(names) + "---|"]
    for entry in staged:
        own, peak = entry.stages["stages"], entry.stages["peak_rss_mb"]
        cells = [f"{own[n]:.2f} / {peak.get(n, 0):.0f}" if n in own else "" for n in names]
        lines.append(f"| {label(entry.size)} | {entry.stages['startup']:.2f} | "
                     + " | ".join(cells) + f" | {entry.stages['total']:.2f} |")
        if entry.stages["missing"]:
            lines.append(f"(not found, not timed: {', '.join(entry.stages['missing'])})")
    return lines


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def compiled() -> None:
    """Byte-compile the installed package, as `pip install .` does, and the page's
    templates, as the first build of an installed package does (page/compiled.py).

    An editable install under PYTHONDONTWRITEBYTECODE would otherwise compile every module
    and template from source on every run, and the start-up rows would measure the compiler.
    """
    import importlib.util

    spec = importlib.util.find_spec("deadlinecal")
    if spec is not None and spec.origin is not None:
        subprocess.run([PYTHON, "-m", "compileall", "-q", str(Path(spec.origin).parent)],
                       check=False)
        subprocess.run([PYTHON, "-m", "deadlinecal.page.compiled"], check=False)
    # The posting floor imports postings.py (see POSTING_FLOOR).
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(HERE / "postings.py")], check=False)


def installed_check() -> str:
    """A warning when the deadlinecal in this venv is not the code in src/."""
    import importlib.util

    spec = importlib.util.find_spec("deadlinecal")
    if spec is None or spec.origin is None:
        return "deadlinecal is not installed in this venv"
    installed = Path(spec.origin).parent
    source = ROOT / "src" / "deadlinecal"
    if installed.resolve() == source.resolve():
        return ""
    stale = sorted(p.name for p in source.glob("*.py")
                   if not (installed / p.name).exists()
                   or (installed / p.name).read_bytes() != p.read_bytes())
    return (f"WARNING: the installed deadlinecal differs from src/ ({', '.join(stale)}); "
            "run `.venv/bin/pip install .` first") if stale else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,50k", help="program counts (default 1k,10k,50k)")
    parser.add_argument("--ref-sizes", default="10k",
                        help="sizes at which yaml2ics also runs, every round (default 10k; "
                        "'none')")
    parser.add_argument("--naive-sizes", default="1k",
                        help="sizes at which naive icalendar also runs, every round (default "
                        "1k: it takes minutes at 10k; 'none')")
    parser.add_argument("--postings", default="6000",
                        help="postings of the generated list whose import + build runs "
                        "every round against its floor (default 6000; 'none')")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--startup-repeat", type=int, default=10,
                        help="interleaved rounds of the start-up cases (default 10)")
    parser.add_argument("--no-stages", action="store_true",
                        help="skip the extra build per size that times each stage")
    parser.add_argument("--quick", action="store_true",
                        help="one round of 100 programs, every case once: proves it runs")
    parser.add_argument("--workdir", help="keep every output and log here")
    parser.add_argument("--json", help="also write the raw samples to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = args.ref_sizes = args.naive_sizes = "100"
        args.postings = "300"
        args.repeat = args.startup_repeat = 1
    warning = installed_check()
    if warning:
        progress(warning)
    compiled()
    results = measure(args)
    text = report(results, args)
    print(text)
    if warning:
        print(warning)
    if args.json:
        Path(args.json).write_text(json.dumps(raw(results), indent=1))
    return 0


def raw(results: dict) -> dict:  # type: ignore[type-arg]
    def samples(series: Series | None) -> list[list[float]]:
        return [[s.wall, s.rss_mb] for s in series.samples] if series else []

    return {
        "sizes": {label(e.size): {"build": samples(e.build), "floor": samples(e.floor),
                                  "yaml2ics": samples(e.yaml2ics), "naive": samples(e.naive),
                                  "events": e.plan["events"], "stages": e.stages,
                                  "checks": e.checks}
                  for e in results["entries"]},
        "startup": {k: samples(v) for k, v in results["startup"].items()},
        "postings": ({"count": results["postings"].count,
                      "ours": samples(results["postings"].ours),
                      "imports": results["postings"].imports,
                      "floor": samples(results["postings"].floor),
                      "checks": results["postings"].checks}
                     if results.get("postings") is not None else None),
        "targets": targets(results),
    }


if __name__ == "__main__":
    raise SystemExit(main())
