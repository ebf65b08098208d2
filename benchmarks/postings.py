"""Measure `import simplify` + `build` on posting lists against the floor; print one table.

    .venv/bin/python benchmarks/postings.py [--sizes 50k] [--snapshot LISTINGS.json] [--repeat 5]

Standalone (it does not import bench.py). A synthetic list of N postings in the newer
SimplifyJobs format is generated (seeded, so the same every run); `--snapshot` adds a real
list. Every command runs as a subprocess of its own, and the import + build pair and the
floor run alternately, `--repeat` times, so a busy machine slows both alike; the table
gives medians, the ratio's min/median/max over the repeats, and the median ratio of CPU
time (steadier than wall time on a busy machine). Every command, the floor included, starts
from cached bytecode as an installed package does (PYTHONDONTWRITEBYTECODE would have
deadlinecal compile its modules on every run while json and yaml come precompiled). Peak
RSS comes from GNU time when it is installed (else wait4), so it is each command's own.

The floor (`postings.py floor ...`, one process) is what no import + build can avoid, done
the fastest way Python offers: start Python and import json and yaml, `json.loads` of the
list, write the bytes of the data file the import wrote, parse them with PyYAML's C
SafeLoader, and write every file the build wrote (each feed joined from its events' UTF-8
bytes, each distinct event encoded once; the subscribe page as it is), with the cyclic
garbage collector off throughout. Cutting the built files into event texts is preparation,
timed apart and subtracted. Its output is checked byte for byte against the build's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

# Only what the floor needs is imported here: the floor runs this module in a process of
# its own, and every import it makes is part of what it measures.

START = time.perf_counter()
HERE = os.path.dirname(os.path.abspath(__file__))
DEADLINECAL = os.path.join(os.path.dirname(sys.executable), "deadlinecal")
CATEGORIES = ["AI/ML/Data", "Software", "Quant", "Hardware", "Product"]
DEGREES = [[], ["Bachelor's"], ["Bachelor's", "Master's"], ["Master's", "PhD"], ["PhD"]]
SPONSORSHIP = ["Other", "Offers Sponsorship", "Does Not Offer Sponsorship",
               "U.S. Citizenship is Required"]
FIRST_POSTED = 1_754_000_000  # late July 2025
# Files of the output folder that are not the build's product (its cache record).
NOT_PRODUCT = (".deadlinecal-build.json",)


def generate(count: int, path: str) -> None:
    """`count` postings over a 300-day season: a third still open, a tenth hidden."""
    import random
    import uuid

    rng = random.Random(count)
    postings = []
    for index in range(count):
        posted = FIRST_POSTED + int(300 * 86_400 * index / count) + rng.randrange(86_400)
        active = rng.random() < 0.35
        postings.append({
            "source": "Simplify", "category": rng.choice(CATEGORIES),
            "company_name": f"Company {rng.randrange(count // 5 + 1)}",
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "title": f"Software Engineering Intern {index} - Summer 2026",
            "active": active, "terms": ["Summer 2026"],
            "date_updated": posted + (0 if active else rng.randrange(40 * 86_400)),
            "date_posted": posted,
            "url": f"https://jobs.example.org/{index}?source=simplify",
            "locations": ["New York, NY", "Remote in USA"][: rng.randrange(1, 3)],
            "company_url": "", "is_visible": rng.random() > 0.1,
            "sponsorship": rng.choice(SPONSORSHIP), "degrees": rng.choice(DEGREES),
        })
    with open(path, "w") as handle:
        handle.write(json.dumps(postings))


def floor(listing: str, data: str, built: str, out: str) -> dict[str, float]:
    """The floor (see the module docstring); `prep` is the part the harness subtracts."""
    import gc

    import yaml

    gc.disable()
    begun, begun_cpu = time.perf_counter(), time.process_time()
    bodies: dict[str, int] = {}
    encoded: list[bytes] = []
    files: list[tuple[str, bytes, list[int] | None]] = []
    for folder, _, names in sorted(os.walk(built)):
        for name in sorted(names):
            relative = os.path.relpath(os.path.join(folder, name), built)
            if relative in NOT_PRODUCT:
                continue
            with open(os.path.join(built, relative), "rb") as handle:
                content = handle.read()
            if not name.endswith(".ics") or b"BEGIN:VEVENT\r\n" not in content:
                files.append((relative, content, None))
                continue
            head, _, rest = content.decode("utf-8").partition("BEGIN:VEVENT\r\n")
            indexes = []
            for chunk in rest.removesuffix("END:VCALENDAR\r\n").split("BEGIN:VEVENT\r\n"):
                body = chunk.removesuffix("END:VEVENT\r\n")
                index = bodies.get(body)
                if index is None:
                    index = bodies[body] = len(encoded)
                    encoded.append(body.encode())
                indexes.append(index)
            files.append((relative, head.encode(), indexes))
    del bodies
    with open(data, "rb") as handle:
        data_bytes = handle.read()
    os.makedirs(out, exist_ok=True)
    prep, prep_cpu = time.perf_counter() - begun, time.process_time() - begun_cpu

    with open(listing, "rb") as handle:
        postings = json.loads(handle.read())
    with open(os.path.join(out, "data.yaml"), "wb") as handle:
        handle.write(data_bytes)
    parsed = yaml.load(data_bytes, Loader=yaml.CSafeLoader)
    for relative, head_bytes, event_indexes in files:
        target = os.path.join(out, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if event_indexes is None:
            written = head_bytes
        else:
            written = head_bytes + b"".join(
                [b"BEGIN:VEVENT\r\n%sEND:VEVENT\r\n" % encoded[i] for i in event_indexes]
            ) + b"END:VCALENDAR\r\n"
        with open(target, "wb") as handle:
            handle.write(written)
    ended = time.perf_counter()
    assert postings and parsed["programs"]
    same = True
    for relative, _, _ in files:
        with open(os.path.join(out, relative), "rb") as mine, \
                open(os.path.join(built, relative), "rb") as theirs:
            same = same and mine.read() == theirs.read()
    return {"prep": prep, "prep_cpu": prep_cpu, "same_bytes": float(same),
            "total": ended - START - prep}


def measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Wall and CPU seconds, peak RSS (MB) and standard output of one subprocess."""
    import shutil
    import subprocess
    import tempfile

    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.NamedTemporaryFile() as rss_file, tempfile.TemporaryFile() as captured:
        prefix = [timer, "-q", "-f", "%M", "-o", rss_file.name] if timer else []
        begun = time.perf_counter()
        process = subprocess.Popen(prefix + command, stdout=captured,
                                   stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - begun
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed ({status})")
        captured.seek(0)
        output = captured.read().decode()
        with open(rss_file.name) as handle:
            reported = handle.read().strip().splitlines()
    rss_kb = float(reported[-1]) if timer and reported else usage.ru_maxrss
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": rss_kb / 1024,
            "output": output}


def fresh(*paths: str) -> None:
    import shutil

    for path in paths:
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.unlink(path)


def case(name: str, listing: str, work: str, repeat: int,
         env: dict[str, str]) -> dict[str, Any]:
    import statistics

    data, out, floor_out = (os.path.join(work, f"{name}{suffix}")
                            for suffix in (".yaml", "-out", "-floor"))

    def ours() -> dict[str, float]:
        fresh(data, out)  # a first import of the list, into an empty folder
        imported = measured([DEADLINECAL, "import", "simplify", listing, "-o", data], env)
        built = measured([DEADLINECAL, "build", data, "-o", out, "--max-age", "100000"], env)
        return {"import": imported["wall"], "build": built["wall"],
                "total": imported["wall"] + built["wall"],
                "total_cpu": imported["cpu"] + built["cpu"],
                "rss": max(imported["rss"], built["rss"])}

    def the_floor() -> dict[str, float]:
        fresh(floor_out)
        # Imported, not run as a script, so that it too starts from cached bytecode.
        result = measured([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
                           " import postings; postings.main(sys.argv[2:])", HERE, "floor",
                           listing, data, out, floor_out], env)
        info = json.loads(result["output"].strip().splitlines()[-1])
        if not info["same_bytes"]:
            raise SystemExit("the floor did not write the build's bytes")
        return {"floor": result["wall"] - info["prep"],
                "floor_cpu": result["cpu"] - info["prep_cpu"]}

    ours()  # warm up: bytecode caches, file cache; the floor needs a build to copy
    the_floor()
    runs = []
    for index in range(repeat):
        if index % 2:  # alternate which goes first
            floor = the_floor()
            run = ours()
        else:
            run = ours()
            floor = the_floor()
        run.update(floor)
        run["ratio"] = run["total"] / run["floor"]
        run["cpu_ratio"] = run["total_cpu"] / run["floor_cpu"]
        runs.append(run)
    with open(listing, "rb") as handle:
        row: dict[str, Any] = {"case": name, "postings": len(json.loads(handle.read()))}
    for key in ("import", "build", "total", "floor", "cpu_ratio"):
        row[key] = statistics.median(run[key] for run in runs)
    ratios = [run["ratio"] for run in runs]
    row["ratio"] = (min(ratios), statistics.median(ratios), max(ratios))
    row["rss"] = max(run["rss"] for run in runs)
    return row


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["floor"]:
        result = floor(*argv[1:5])
        print("\n" + json.dumps(result))
        return
    if argv[:1] == ["generate"]:
        generate(int(argv[1]), argv[2])
        return
    import argparse
    import subprocess
    import tempfile

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="50k")
    parser.add_argument("--snapshot", default=None,
                        help="a real listings.json to measure as well")
    parser.add_argument("--repeat", type=int, default=5,
                        help="interleaved runs of import + build and of the floor")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        # Every command starts from cached bytecode, as after `pip install`: with
        # PYTHONDONTWRITEBYTECODE set, deadlinecal would compile its modules on every run
        # while json and yaml come precompiled. The cache lives in the temporary folder.
        env = {key: value for key, value in os.environ.items()
               if key != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = os.path.join(work, "pycache")
        if args.snapshot is not None:
            rows.append(case("snapshot", args.snapshot, work, args.repeat, env))
        for size in (int(s.replace("k", "000")) for s in args.sizes.split(",") if s):
            listing = os.path.join(work, f"synthetic-{size}.json")
            # In a process of its own: the harness stays small (see `measured`).
            subprocess.run([sys.executable, __file__, "generate", str(size), listing],
                           check=True)
            rows.append(case(f"synthetic-{size // 1000}k", listing, work, args.repeat, env))
    print(f"{'case':<15} {'postings':>8} {'import s':>8} {'build s':>7} {'total s':>7} "
          f"{'floor s':>7} {'total/floor min/med/max':>24} {'CPU ratio':>9} {'peak MB':>7}")
    for row in rows:
        low, middle, high = row["ratio"]
        print(f"{row['case']:<15} {row['postings']:>8,} {row['import']:>8.3f} "
              f"{row['build']:>7.3f} {row['total']:>7.3f} {row['floor']:>7.3f} "
              f"{f'{low:.2f} / {middle:.2f} / {high:.2f}x':>24} {row['cpu_ratio']:>8.2f}x "
              f"{row['rss']:>7.0f}")
    print(f"Medians of {args.repeat} interleaved runs (wall; CPU ratio: user + system time); "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}.")


if __name__ == "__main__":
    main()
