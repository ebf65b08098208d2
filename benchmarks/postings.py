"""Measure `import simplify` + `build` on posting lists against the floor; print one table.

    .venv/bin/python benchmarks/postings.py [--sizes 50k] [--snapshot LISTINGS.json] [--repeat 5]

Standalone (it does not import bench.py). A synthetic list of N postings in the newer
SimplifyJobs format is generated (seeded, so the same every run); `--snapshot` adds a real
list. Every command runs as a subprocess of its own, and the import + build pair and the
floor run alternately, `--repeat` times, so a busy machine slows both alike; the table
gives medians and the ratio's min/median/max over the repeats. Peak RSS comes from GNU time
when it is installed (else wait4), so it is each command's own.

The floor (`postings.py floor ...`, one process) is what no import + build can avoid, done
the fastest way Python offers: start Python and import json and yaml, `json.loads` of the
list, write the bytes of the data file the import wrote, parse them with PyYAML's C
SafeLoader, and write every file the build wrote (each feed joined from its events' UTF-8
bytes, each distinct event encoded once; the subscribe page as it is), with the cyclic
garbage collector off throughout. Cutting the built files into event texts is preparation,
timed apart and subtracted. Its output is checked byte for byte against the build's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

START = time.perf_counter()
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEADLINECAL = str(BIN / "deadlinecal")
CATEGORIES = ["AI/ML/Data", "Software", "Quant", "Hardware", "Product"]
DEGREES = [[], ["Bachelor's"], ["Bachelor's", "Master's"], ["Master's", "PhD"], ["PhD"]]
SPONSORSHIP = ["Other", "Offers Sponsorship", "Does Not Offer Sponsorship",
               "U.S. Citizenship is Required"]
FIRST_POSTED = 1_754_000_000  # late July 2025
# Files of the output folder that are not the build's product (its cache record).
NOT_PRODUCT = (".deadlinecal-build.json",)


def generate(count: int, path: Path) -> None:
    """`count` postings over a 300-day season: a third still open, a tenth hidden."""
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
    path.write_text(json.dumps(postings))


def floor(listing: str, data: str, built: str, out: str) -> dict[str, float]:
    """The floor (see the module docstring); `prep` is the part the harness subtracts."""
    import gc

    import yaml

    gc.disable()
    begun = time.perf_counter()
    bodies: dict[str, int] = {}
    encoded: list[bytes] = []
    files: list[tuple[str, bytes, list[int] | None]] = []
    root = Path(built)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative in NOT_PRODUCT:
            continue
        content = path.read_bytes()
        if path.suffix != ".ics" or b"BEGIN:VEVENT\r\n" not in content:
            files.append((relative, content, None))
            continue
        text = content.decode("utf-8")
        head, _, rest = text.partition("BEGIN:VEVENT\r\n")
        chunks = rest.removesuffix("END:VCALENDAR\r\n").split("BEGIN:VEVENT\r\n") if rest else []
        indexes = []
        for chunk in chunks:
            body = chunk.removesuffix("END:VEVENT\r\n")
            index = bodies.get(body)
            if index is None:
                index = bodies[body] = len(encoded)
                encoded.append(body.encode())
            indexes.append(index)
        files.append((relative, head.encode(), indexes))
    del bodies
    data_bytes = Path(data).read_bytes()
    os.makedirs(out, exist_ok=True)
    prep = time.perf_counter() - begun

    with open(listing, "rb") as handle:
        postings = json.loads(handle.read())
    with open(os.path.join(out, "data.yaml"), "wb") as handle:
        handle.write(data_bytes)
    parsed = yaml.load(data_bytes, Loader=yaml.CSafeLoader)
    for relative, head, indexes in files:
        target = os.path.join(out, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if indexes is None:
            content = head
        else:
            content = head + b"".join(
                [b"BEGIN:VEVENT\r\n%sEND:VEVENT\r\n" % encoded[i] for i in indexes]
            ) + b"END:VCALENDAR\r\n"
        with open(target, "wb") as handle:
            handle.write(content)
    ended = time.perf_counter()
    assert postings and parsed["programs"]
    same = all((Path(out) / relative).read_bytes() == (root / relative).read_bytes()
               for relative, _, _ in files)
    return {"prep": prep, "same_bytes": float(same), "total": ended - START - prep}


def measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard output of one subprocess."""
    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.NamedTemporaryFile() as rss_file, tempfile.TemporaryFile() as captured:
        prefix = [timer, "-q", "-f", "%M", "-o", rss_file.name] if timer else []
        begun = time.perf_counter()
        process = subprocess.Popen(prefix + command, stdout=captured,
                                   stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - begun
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(command)} failed ({status})")
        captured.seek(0)
        output = captured.read().decode()
        reported = Path(rss_file.name).read_text().strip().splitlines()
    rss_kb = float(reported[-1]) if timer and reported else usage.ru_maxrss
    return wall, rss_kb / 1024, output


def fresh(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def case(name: str, listing: Path, work: Path, repeat: int) -> dict[str, object]:
    data, out, floor_out = work / f"{name}.yaml", work / f"{name}-out", work / f"{name}-floor"
    runs: list[dict[str, float]] = []

    def ours() -> tuple[float, float, float]:
        fresh(data, out)  # a first import of the list, into an empty folder
        imported = measured([DEADLINECAL, "import", "simplify", str(listing), "-o", str(data)])
        built = measured([DEADLINECAL, "build", str(data), "-o", str(out),
                          "--max-age", "100000"])
        return imported[0], built[0], max(imported[1], built[1])

    def the_floor() -> float:
        fresh(floor_out)
        result = measured([sys.executable, __file__, "floor", str(listing), str(data),
                           str(out), str(floor_out)])
        info = json.loads(result[2].strip().splitlines()[-1])
        if not info["same_bytes"]:
            raise SystemExit("the floor did not write the build's bytes")
        return result[0] - info["prep"]

    ours()  # warm the file cache; the floor needs a build to copy
    for index in range(repeat):
        if index % 2:  # alternate which goes first
            floor_s = the_floor()
            import_s, build_s, rss = ours()
        else:
            import_s, build_s, rss = ours()
            floor_s = the_floor()
        runs.append({"import": import_s, "build": build_s, "total": import_s + build_s,
                     "floor": floor_s, "ratio": (import_s + build_s) / floor_s, "rss": rss})
    row: dict[str, object] = {"case": name, "postings": len(json.loads(listing.read_bytes()))}
    for key in ("import", "build", "total", "floor"):
        row[key] = statistics.median(run[key] for run in runs)
    ratios = [run["ratio"] for run in runs]
    row["ratio"] = (min(ratios), statistics.median(ratios), max(ratios))
    row["rss"] = max(run["rss"] for run in runs)
    return row


def main() -> None:
    if sys.argv[1:2] == ["floor"]:
        result = floor(*sys.argv[2:6])
        print("\n" + json.dumps(result))
        return
    if sys.argv[1:2] == ["generate"]:
        generate(int(sys.argv[2]), Path(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50k")
    parser.add_argument("--snapshot", type=Path, default=None,
                        help="a real listings.json to measure as well")
    parser.add_argument("--repeat", type=int, default=5,
                        help="interleaved runs of import + build and of the floor")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.snapshot is not None:
            rows.append(case("snapshot", args.snapshot, work, args.repeat))
        for size in (int(s.replace("k", "000")) for s in args.sizes.split(",") if s):
            listing = work / f"synthetic-{size}.json"
            # In a process of its own: the harness stays small (see `measured`).
            subprocess.run([sys.executable, __file__, "generate", str(size), str(listing)],
                           check=True)
            rows.append(case(f"synthetic-{size // 1000}k", listing, work, args.repeat))
    print(f"{'case':<15} {'postings':>8} {'import s':>8} {'build s':>7} {'total s':>7} "
          f"{'floor s':>7} {'total/floor min/med/max':>24} {'peak MB':>7}")
    for row in rows:
        low, middle, high = row["ratio"]  # type: ignore[misc]
        print(f"{row['case']:<15} {row['postings']:>8,} {row['import']:>8.3f} "
              f"{row['build']:>7.3f} {row['total']:>7.3f} {row['floor']:>7.3f} "
              f"{f'{low:.2f} / {middle:.2f} / {high:.2f}x':>24} {row['rss']:>7.0f}")
    print(f"Medians of {args.repeat} interleaved runs; {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}.")


if __name__ == "__main__":
    main()
