"""Write a realistic synthetic deadlinecal data file of N programs, deterministically.

    python benchmarks/generate.py --programs 10000 -o /some/where/10k.yaml

The same N and seed always give the same bytes. The data exercises what real aggregator
files hold: several tracks and eligibility groups, citizenship rules, every fuzzy-date form
(exact days, months, early/mid/late, seasons, ranges, "around"/"~"), timed deadlines in
several zones and AoE, durations, rolling and year-round windows, programs with no dates,
long notes with non-ASCII text (accents, dashes, CJK, emoji) and a few named feeds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys

TRACKS = {
    "research": "Research",
    "applied": "Applied / product ML",
    "quant": "Quant ML",
    "infra": "ML infrastructure",
    "policy": "AI policy & safety",
}
ELIGIBILITY = {
    "undergrad": "Undergraduates",
    "masters": "Master's students",
    "phd": "PhD students",
    "first-second-year": "First- and second-year undergraduates",
    "not-enrolled": "Not enrolled in school",
    "postdoc": "Postdocs",
}
CITIZENSHIP = {
    "us-citizen": "US citizens",
    "us-permanent-resident": "US permanent residents",
    "eu-citizen": "EU citizens",
    "other": "Everyone else (including international students)",
}
FEEDS = {
    "open-to-international": ("Open to international students",
                              {"citizenship": ["other"]}),
    "research-undergrad": ("Research programs for undergraduates",
                           {"track": ["research"], "eligibility": ["undergrad"]}),
    "quant-confirmed": ("Quant programs with confirmed dates",
                        {"track": ["quant"], "confirmed_only": True}),
    "europe": ("Programs in Europe",
               {"employer": ["Zürich Instruments", "Société Générale", "Malmö AI Lab",
                             "Ørsted Digital", "Kraków Robotics"]}),
}
EMPLOYER_STEMS = [
    "Google", "Meta", "Apple", "NVIDIA", "Amazon", "Microsoft", "Jane Street", "Citadel",
    "Two Sigma", "Hudson River Trading", "Allen Institute", "Anthropic", "OpenAI",
    "Zürich Instruments", "Société Générale", "Malmö AI Lab", "Ørsted Digital",
    "Kraków Robotics", "São Paulo Data", "Nagoya 研究所", "Seoul 인공지능", "Café Labs",
    "Montréal Institute", "Bogotá Analytics", "Athens Λογισμικό", "Kyiv Research",
]
PROGRAM_NAMES = [
    "Research internship", "Student Researcher", "Software engineering internship",
    "Applied Scientist intern", "ML engineering internship", "Quant research internship",
    "Residency", "Fellowship", "Summer analyst — ML", "Explore program",
    "Data science internship", "Infrastructure internship", "Policy fellowship",
]
ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Zurich",
         "Asia/Tokyo", "Asia/Kolkata", "AoE", None]  # None: the dataset's default zone
PHRASES = [
    "Roles go up in waves and each team reviews on a rolling basis.",
    "Apply as soon as it opens — the strongest offices fill first.",
    "Bachelor’s and master’s students are welcome; PhD students apply to the sister track.",
    "Lasts 12–24 weeks, on site at least four days a week (Zürich, München or Genève).",
    "Pay is about €4,500–6,000 a month plus relocation; housing is ‘arranged on request’.",
    "Interviews: two coding rounds, one ML-fundamentals round and a project deep-dive.",
    "東京オフィスでは日本語は必須ではありません。英語で応募できます。",
    "Les candidatures sont examinées au fil de l’eau ; répondez vite.",
    "Ein Praktikum für Studierende der Informatik, Mathematik oder Physik.",
    "Programa remunerado; inclui auxílio-moradia e passagens aéreas. 🚀",
    "Past interns say the team is friendly, the problems are real and the pace is fast ✨.",
    "The article gives no exact dates; this entry is an estimate from last year's cycle.",
    "Acceptance rate below 1% (roughly 250 offers from over 50,000 applicants).",
    "Need-based living support of up to $5,000; no citizenship requirement is stated.",
]
SCREENS = [
    "Coding fundamentals and one project you can defend.",
    "Contest-grade probability and statistics plus strong programming.",
    "Research potential: work beyond coursework and faculty backing.",
    "Systems skills: distributed training, GPUs, profiling.",
    "Clear writing on technical policy questions; a sample memo.",
]
CYCLE_START = dt.date(2026, 7, 1)
CYCLE_END = dt.date(2027, 9, 30)
UPDATED = dt.date(2026, 7, 31)


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), non-ASCII kept as is."""
    return json.dumps(text, ensure_ascii=False)


def slug(text: str) -> str:
    out = "".join(c.lower() if c.isascii() and c.isalnum() else "-" for c in text)
    return "-".join(part for part in out.split("-") if part) or "x"


class Generator:
    def __init__(self, programs: int, seed: int) -> None:
        self.count = programs
        self.rng = random.Random(f"{seed}:{programs}")
        employers = max(4, programs // 4)
        self.employers = [
            stem if i < len(EMPLOYER_STEMS) else f"{stem} {i // len(EMPLOYER_STEMS)}"
            for i, stem in ((i, EMPLOYER_STEMS[i % len(EMPLOYER_STEMS)])
                            for i in range(employers))
        ]

    def day(self, low: dt.date, high: dt.date) -> dt.date:
        return low + dt.timedelta(days=self.rng.randrange((high - low).days + 1))

    def fuzzy(self, low: dt.date, high: dt.date, *, timed: bool) -> tuple[str, dt.date, dt.date]:
        """A fuzzy date inside [low, high]: (text, earliest, latest)."""
        rng = self.rng
        day = self.day(low, high)
        form = rng.choices(
            ["day", "time", "month", "part", "season", "range", "around"],
            weights=[25, 12 if timed else 0, 20, 15, 8, 12, 8],
        )[0]
        if form == "day":
            return day.isoformat(), day, day
        if form == "time":
            zone = rng.choice(ZONES)
            clock = rng.choice(["23:59", "17:00", "12:00", "09:30"])
            text = f"{day.isoformat()} {clock}" + (f" {zone}" if zone else "")
            return text, day, day
        if form == "month":
            first = day.replace(day=1)
            return f"{day:%Y-%m}", first, _month_end(first)
        if form == "part":
            part = rng.choice(["early", "mid", "late"])
            first = day.replace(day={"early": 1, "mid": 11, "late": 21}[part])
            last = _month_end(first) if part == "late" else first + dt.timedelta(days=9)
            return f"{part} {day:%Y-%m}", first, last
        if form == "season":
            season, start = {12: ("winter", 12), 1: ("winter", 12), 2: ("winter", 12),
                             3: ("spring", 3), 4: ("spring", 3), 5: ("spring", 3),
                             6: ("summer", 6), 7: ("summer", 6), 8: ("summer", 6)
                             }.get(day.month, ("fall", 9))
            year = day.year - 1 if day.month < 3 else day.year
            first = dt.date(year, start, 1)
            last = _month_end(dt.date(year + (start == 12), (start + 1) % 12 + 1, 1))
            return f"{season} {year}", first, last
        if form == "range":
            second = min(high, day + dt.timedelta(days=rng.randrange(31, 92)))
            first = day.replace(day=1)
            last = _month_end(second.replace(day=1))
            return f"{day:%Y-%m}..{second:%Y-%m}", first, last
        prefix = rng.choice(["around ", "~"])
        if rng.random() < 0.5:
            return f"{prefix}{day.isoformat()}", day, day
        first = day.replace(day=1)
        return f"{prefix}{day:%Y-%m}", first, _month_end(first)

    def window(self, key: str | None) -> list[str]:
        rng = self.rng
        lines = [f"      - key: {key}"] if key else []
        fields: list[str] = []
        kind = rng.random()
        if kind < 0.06:
            fields.append("year_round: true")
        elif kind < 0.10:
            fields.append(f"note: {q('Dates to be announced; ' + rng.choice(PHRASES))}")
        else:
            opens, _, latest = self.fuzzy(CYCLE_START, dt.date(2027, 2, 28), timed=False)
            fields.append(f"opens: {q(opens)}")
            after = latest + dt.timedelta(days=21)
            if rng.random() < 0.25:
                lasts = rng.choice(["2 weeks", "2-4 weeks", "10 days", "1 month", "3–6 weeks"])
                fields.append(f"duration: {q(lasts)}")
            elif rng.random() < 0.7:
                closes, *_ = self.fuzzy(after, after + dt.timedelta(days=120), timed=True)
                fields.append(f"closes: {q(closes)}")
            if rng.random() < 0.35:
                deadline, *_ = self.fuzzy(after, after + dt.timedelta(days=150), timed=True)
                fields.append(f"deadline: {q(deadline)}")
        if rng.random() < 0.4:
            fields.append("rolling: true")
        if rng.random() < 0.3 and not any(f.startswith("note:") for f in fields):
            fields.append(f"note: {q(rng.choice(PHRASES))}")
        if not lines:
            lines.append(f"      - {fields.pop(0)}")
        lines.extend(f"        {field}" for field in fields)
        return lines

    def program(self, index: int) -> list[str]:
        rng = self.rng
        employer = self.employers[rng.randrange(len(self.employers))]
        if index < len(self.employers):
            # Every employer has a program, so a named feed's employers all exist.
            employer = self.employers[index]
        name = rng.choice(PROGRAM_NAMES)
        track = rng.choices(list(TRACKS), weights=[30, 35, 15, 15, 5])[0]
        groups = rng.sample(list(ELIGIBILITY), rng.choices([1, 2, 3], weights=[3, 3, 4])[0])
        lines = [
            f"  - id: {slug(employer)}-{slug(name)}-{index}",
            f"    employer: {q(employer)}",
            f"    program: {q(name)}",
            f"    track: {track}",
            f"    eligibility: [{', '.join(groups)}]",
        ]
        if rng.random() < 0.3:
            statuses = rng.sample(list(CITIZENSHIP)[:3], rng.randint(1, 3))
            lines.append(f"    citizenship: [{', '.join(statuses)}]")
        if rng.random() < 0.7:
            low = rng.randrange(25, 70)
            pay = f"Estimated ${low}–{low + 17}/hour (band, not a published rate)"
            lines.append(f"    pay: {q(pay)}")
        if rng.random() < 0.8:
            lines.append(f"    screens_for: {q(rng.choice(SCREENS))}")
        if rng.random() < 0.75:
            lines.append(f"    link: https://careers.example.org/{slug(employer)}/{index}")
        if rng.random() < 0.1:
            lines.append(f"    source: {{name: {q(employer + ' careers page')}, "
                         f"url: \"https://{slug(employer)}.example.org/jobs\"}}")
        verified = self.day(dt.date(2026, 6, 1), UPDATED)
        lines.append(f"    last_verified: \"{verified.isoformat()}\"")
        notes = " ".join(rng.sample(PHRASES, rng.randint(1, 4)))
        lines.append(f"    notes: {q(notes)}")
        if rng.random() < 0.1:
            lines.append(f"    follow_up_days: {rng.choice([7, 10, 21])}")
        windows = rng.choices([0, 1, 2, 3], weights=[8, 62, 22, 8])[0]
        if windows:
            lines.append("    windows:")
            keys = ["summer-2027", "fall-2026", "winter-2027"]
            for number in range(windows):
                key = keys[number] if windows > 1 or rng.random() < 0.7 else None
                lines.extend(self.window(key))
        return lines

    def text(self) -> str:
        n = self.count
        out = [
            "# Synthetic deadlinecal data written by benchmarks/generate.py; do not edit.",
            "format: 1",
            "dataset:",
            f"  id: synthetic-{n}",
            f"  title: {q(f'Synthetic ML internships ({n:,} programs)')}",
            f"  description: {q('A generated dataset for benchmarks — not real programs.')}",
            f"  cycle: {{starts: \"{CYCLE_START}\", ends: \"{CYCLE_END}\"}}",
            "  source: {name: \"deadlinecal benchmark generator\", "
            "url: \"https://example.org/deadlinecal-bench\"}",
            f"  updated: \"{UPDATED}\"",
            "  timezone: America/New_York",
            "  follow_up_days: 14",
            "tracks:",
        ]
        for key, title in TRACKS.items():
            out.append(f"  {key}: {{title: {q(title)}, description: {q(f'{title} programs.')}}}")
        out.append("eligibility:")
        for key, title in ELIGIBILITY.items():
            out.append(f"  {key}: {{title: {q(title)}}}")
        out.append("citizenship:")
        for key, title in CITIZENSHIP.items():
            out.append(f"  {key}: {{title: {q(title)}}}")
        out.append("feeds:")
        for key, (title, chosen) in FEEDS.items():
            out.append(f"  {key}:")
            out.append(f"    title: {q(title)}")
            out.append(f"    filter: {json.dumps(chosen, ensure_ascii=False)}")
        out.append("programs:")
        for index in range(n):
            out.extend(self.program(index))
        return "\n".join(out) + "\n"


def _month_end(first: dt.date) -> dt.date:
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def generate(programs: int, seed: int = 2027) -> str:
    """The text of a data file with `programs` programs."""
    return Generator(programs, seed).text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", "-n", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--output", "-o", default="-", help="file to write (default stdout)")
    args = parser.parse_args(argv)
    data = generate(args.programs, args.seed).encode("utf-8")
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as handle:
            handle.write(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
