"""Measure `import simplify` + `build` on posting lists against the floor; print one table.

    .venv/bin/python benchmarks/postings.py [--sizes 6k,50k] [--snapshot LISTINGS.json]

Standalone (it does not import bench.py). A synthetic list of N postings in the newer
SimplifyJobs format is generated (seeded, so the same every run); `--snapshot` adds a real
list. Each command runs as a subprocess of its own and its peak RSS comes from wait4.
The floor is what no import can avoid: `json.loads` of the list, plus the build floor of
`benchmarks/cases.py floor` (C SafeLoader parse of the written data and writing the feeds'
bytes by string formatting).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DEADLINECAL = str(BIN / "deadlinecal")
CATEGORIES = ["AI/ML/Data", "Software", "Quant", "Hardware", "Product"]
DEGREES = [[], ["Bachelor's"], ["Bachelor's", "Master's"], ["Master's", "PhD"], ["PhD"]]
SPONSORSHIP = ["Other", "Offers Sponsorship", "Does Not Offer Sponsorship",
               "U.S. Citizenship is Required"]
START = 1_754_000_000  # late July 2025


def generate(count: int, path: Path) -> None:
    """`count` postings over a 300-day season: a third still open, a tenth hidden."""
    rng = random.Random(count)
    postings = []
    for index in range(count):
        posted = START + int(300 * 86_400 * index / count) + rng.randrange(86_400)
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


def measured(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard output of one subprocess."""
    begun = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    output = process.stdout.read().decode() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - begun
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode})")
    return wall, usage.ru_maxrss / 1024, output


def case(name: str, listing: Path, work: Path) -> dict[str, float | str]:
    data, out, floor_out = work / f"{name}.yaml", work / f"{name}-out", work / f"{name}-floor"
    for path in (data, out, floor_out):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    imported = measured([DEADLINECAL, "import", "simplify", str(listing), "-o", str(data)])
    built = measured([DEADLINECAL, "build", str(data), "-o", str(out), "--max-age", "100000"])
    parse = measured([sys.executable, "-c", "import json,sys,time; b=open(sys.argv[1],'rb')"
                      ".read(); t=time.perf_counter(); json.loads(b); "
                      "print(time.perf_counter()-t)", str(listing)])
    floor = measured([sys.executable, str(HERE / "cases.py"), "floor", str(data), str(out),
                      str(floor_out)])
    info = json.loads(floor[2].strip().splitlines()[-1])
    floor_s = float(parse[2]) + floor[0] - info["prep"]
    return {"case": name, "postings": len(json.loads(listing.read_bytes())),
            "import": imported[0], "build": built[0], "total": imported[0] + built[0],
            "floor": floor_s, "ratio": (imported[0] + built[0]) / floor_s,
            "rss": max(imported[1], built[1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50k")
    parser.add_argument("--snapshot", type=Path, default=None,
                        help="a real listings.json to measure as well")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.snapshot is not None:
            rows.append(case("snapshot", args.snapshot, work))
        for size in (int(s.replace("k", "000")) for s in args.sizes.split(",") if s):
            listing = work / f"synthetic-{size}.json"
            generate(size, listing)
            rows.append(case(f"synthetic-{size // 1000}k", listing, work))
    print(f"{'case':<16} {'postings':>8} {'import s':>9} {'build s':>8} {'total s':>8} "
          f"{'floor s':>8} {'total/floor':>11} {'peak MB':>8}")
    for row in rows:
        print(f"{row['case']:<16} {row['postings']:>8,} {row['import']:>9.2f} "
              f"{row['build']:>8.2f} {row['total']:>8.2f} {row['floor']:>8.2f} "
              f"{row['ratio']:>10.2f}x {row['rss']:>8.0f}")


if __name__ == "__main__":
    main()
