"""The season at a glance: programs and their windows -> the timeline's view model.

Pure: plain values for `templates/timeline.svg.j2`, which writes (and escapes) the SVG.
Coordinates are SVG user units, formatted here once so the template stays simple. Rows are
produced lazily. Above MAX_CHARTED programs with dates the chart shows each track's first
ones only (`sample`) and says how many it leaves out; the page's table lists them all.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from deadlinecal.dataset import dates
from deadlinecal.events.expand import window_closes
from deadlinecal.model import Dataset, FuzzyDate, Program, Window
from deadlinecal.text import plural

# Colour-blind-friendly, each at least 4.5:1 against white so it can also colour text.
TRACK_COLOURS = ("#1d5fc4", "#0b7a5f", "#b44a10", "#7b3fb3", "#b0235f", "#5b6b00")
TRACK_TINTS = ("#dce8fa", "#d6efe7", "#f8e1d3", "#ebe0f6", "#f6dbe6", "#e9edcc")
AXIS_HEIGHT = 62
TRACK_ROW = 30
# Above this many programs with dates, each track charts only its first ones: ten thousand
# rows are no chart a student reads, and at that size they were most of the page's bytes
# and of its time. No data of a golden test or the default data comes near it.
MAX_CHARTED = 500
# The line under a track's rows that says how many of its programs are not charted.
MORE_ROW = 26


@dataclass(frozen=True, slots=True)
class Axis:
    """Maps days of the cycle to x positions in the timeline's SVG user units."""

    first: dt.date
    last: dt.date
    left: float
    right: float

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def x(self, day: dt.date) -> float:
        """Left edge of `day`, clamped to the plot."""
        offset = min(max((day - self.first).days, 0), self.days)
        return self.left + offset * (self.right - self.left) / self.days

    def x_end(self, day: dt.date) -> float:
        """Right edge of `day`."""
        return self.x(day + dt.timedelta(days=1))


@dataclass(frozen=True, slots=True)
class TrackStyle:
    """A track's colours and the ids of its hatch pattern and fade gradient in one chart."""

    key: str
    title: str
    colour: str
    tint: str
    hatch: str
    fade: str


@dataclass(frozen=True, slots=True)
class Shape:
    """One mark: "bar" (open), "fade" (no end), "estimate" (hatched span), "band"
    (open all year) or "diamond" (a confirmed day, centred on x)."""

    kind: str
    x: str
    y: str
    width: str = ""
    height: str = ""
    fill: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    x: str
    y: str
    text: str
    end: bool = False  # anchored at its end, left of the bars


@dataclass(frozen=True, slots=True)
class Row:
    tooltip: str
    name: str
    name_x: str
    name_y: str
    colour: str
    hatch: str
    shapes: tuple[Shape, ...]
    labels: tuple[Label, ...]


@dataclass(frozen=True, slots=True)
class Band:
    """One track's heading and its rows (produced while the template writes them)."""

    title: str
    colour: str
    y: int
    rows: Iterable[Row]
    more: str = ""  # "and 1,234 more ...": the band's programs left out of the chart
    more_x: str = ""
    more_y: str = ""


@dataclass(frozen=True, slots=True)
class Month:
    x: str
    width: str
    shaded: bool
    label: str  # "" when the month is too narrow to name
    middle: str
    year: str  # "" except at the start and each January
    year_x: str


@dataclass(frozen=True, slots=True)
class Chart:
    kind: str  # "wide" or "narrow"
    prefix: str
    width: int
    height: int
    axis: Axis
    title: str
    description: str
    styles: tuple[TrackStyle, ...]
    months: tuple[Month, ...]
    bands: Iterable[Band]
    top: int = AXIS_HEIGHT


def styles(dataset: Dataset, prefix: str = "") -> dict[str, TrackStyle]:
    """Each track's colours, by key, in declaration order."""
    return {t.key: TrackStyle(key=t.key, title=t.title,
                              colour=TRACK_COLOURS[i % len(TRACK_COLOURS)],
                              tint=TRACK_TINTS[i % len(TRACK_TINTS)],
                              hatch=f"{prefix}hatch-{i}", fade=f"{prefix}fade-{i}")
            for i, t in enumerate(dataset.tracks)}


def sample(programs: Sequence[Program]) -> tuple[list[Program], dict[str, int]]:
    """The programs the timeline charts, and how many of each track's it leaves out.

    All of them when there are at most MAX_CHARTED; else each track's first ones in the
    data's order, an equal share of MAX_CHARTED per track that has programs.
    """
    if len(programs) <= MAX_CHARTED:
        return list(programs), {}
    totals = Counter(program.track for program in programs)
    share = max(MAX_CHARTED // len(totals), 1)
    taken: Counter[str] = Counter()
    shown = []
    for program in programs:
        if taken[program.track] < share:
            taken[program.track] += 1
            shown.append(program)
    return shown, {key: total - taken[key] for key, total in totals.items()
                   if total > taken[key]}


def chart(dataset: Dataset, programs: Sequence[Program], *, narrow: bool = False,
          left_out: Mapping[str, int] | None = None) -> Chart:
    """The wide timeline (names beside the bars) or the narrow one (phones, names above).

    `left_out`: how many programs of each track `programs` leaves out (see `sample`).
    """
    prefix = "n-" if narrow else "w-"
    width, label_width = (420, 10) if narrow else (1000, 300)
    row = 42 if narrow else 28
    axis = Axis(first=dataset.cycle_starts, last=dataset.cycle_ends, left=label_width,
                right=width - (10 if narrow else 16))
    by_track = styles(dataset, prefix)
    left_out = left_out or {}
    counts = {key: 0 for key in by_track}
    for program in programs:
        counts[program.track] += 1
    height = AXIS_HEIGHT + sum(TRACK_ROW + n * row + (MORE_ROW if left_out.get(key) else 0)
                               for key, n in counts.items() if n) + 10
    return Chart(
        kind="narrow" if narrow else "wide", prefix=prefix, width=width, height=height,
        axis=axis, title=f"Timeline of {dataset.title}",
        description=_description(dataset, len(programs), sum(left_out.values())),
        styles=tuple(by_track.values()),
        months=tuple(_months(axis)),
        bands=_bands(programs, by_track, counts, axis, row, narrow, left_out),
    )


def _description(dataset: Dataset, charted: int, left_out: int) -> str:
    which = plural(charted, "program")
    if left_out:
        which = f"{charted:,} of the {charted + left_out:,} programs"
    return (f"From {dates.human_day(dataset.cycle_starts)} to "
            f"{dates.human_day(dataset.cycle_ends)}, {which} with dates, by track. "
            + ("Every program's dates are listed as text in the table below the chart."
               if left_out else "The same dates are listed as text in the table below "
               "the chart."))


def _bands(programs: Sequence[Program], by_track: dict[str, TrackStyle],
           counts: dict[str, int], axis: Axis, row: int, narrow: bool,
           left_out: Mapping[str, int]) -> Iterator[Band]:
    y = AXIS_HEIGHT
    for key, style in by_track.items():
        if not counts[key]:
            continue
        bottom = y + TRACK_ROW + counts[key] * row
        more = left_out.get(key, 0)
        yield Band(title=style.title, colour=style.colour, y=y,
                   rows=_rows(programs, style, axis, y + TRACK_ROW, row, narrow),
                   more=f"\u2026 and {more:,} more: see all dates as text" if more else "",
                   more_x=str(axis.left) if narrow else "16", more_y=str(bottom + 17))
        y = bottom + (MORE_ROW if more else 0)


def _rows(programs: Sequence[Program], style: TrackStyle, axis: Axis, y: int, row: int,
          narrow: bool) -> Iterator[Row]:
    for program in programs:
        if program.track == style.key:
            yield _row(program, style, axis, y, row, narrow)
            y += row


def _months(axis: Axis) -> Iterator[Month]:
    month = axis.first.replace(day=1)
    index = 0
    while month <= axis.last:
        following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        left = axis.x(max(month, axis.first))
        right = axis.x(min(following, axis.last + dt.timedelta(days=1)))
        yield Month(x=f"{left:.1f}", width=f"{right - left:.1f}", shaded=index % 2 == 0,
                    label=month.strftime("%b") if right - left > 22 else "",
                    middle=f"{(left + right) / 2:.1f}",
                    year=str(month.year) if month.month == 1 or index == 0 else "",
                    year_x=f"{left + 3:.1f}")
        month = following
        index += 1


def _row(program: Program, style: TrackStyle, axis: Axis, y: int, row: int,
         narrow: bool) -> Row:
    if narrow:
        middle: float = y + 28
        name_x, name_y, shown = str(axis.left), str(y + 14), fit(program.title, 56)
        label_width = axis.left
    else:
        middle = y + row / 2
        name_x, name_y, shown = "16", f"{middle + 4.5:.1f}", fit(program.title, 40)
        label_width = 300
    shapes: list[Shape] = []
    labels: list[Label] = []
    reach_left, reach_right = axis.right, axis.left
    wording = []
    for window in program.windows:
        if not dated(window):
            continue
        left, right = _window_shapes(window, style, axis, middle - 7, 14, shapes, labels)
        reach_left, reach_right = min(reach_left, left), max(reach_right, right)
        if not year_round_only(window):
            wording.append(window_label(window))
    label = " · ".join(wording)
    width_needed = 6.6 * len(label) + 8
    if label and axis.right - reach_right >= width_needed:
        labels.append(Label(x=f"{reach_right + 6:.1f}", y=f"{middle + 4:.1f}", text=label))
    elif label and reach_left - label_width >= width_needed:
        labels.append(Label(x=f"{reach_left - 6:.1f}", y=f"{middle + 4:.1f}", text=label,
                            end=True))
    return Row(tooltip=tooltip(program), name=shown, name_x=name_x, name_y=name_y,
               colour=style.colour, hatch=style.hatch, shapes=tuple(shapes),
               labels=tuple(labels))


def _window_shapes(window: Window, style: TrackStyle, axis: Axis, top: float, height: float,
                   shapes: list[Shape], labels: list[Label]) -> tuple[float, float]:
    """Add the window's marks to `shapes`; returns how far left and right they reach."""
    if year_round_only(window):
        shapes.append(Shape("band", str(axis.left), str(top), str(axis.right - axis.left),
                            str(height), style.colour))
        labels.append(Label(x=str(axis.left + 8), y=str(top + 11), text=window_label(window)))
        return axis.right, axis.right
    opens = window.opens
    end = window.deadline or window_closes(window)
    left, right = axis.right, axis.left
    bar_top, bar_height = f"{top + 2}", f"{height - 4}"
    if opens is not None:
        open_from = opens.latest + dt.timedelta(days=1)
        if end is not None and end.earliest > open_from:
            a, b = axis.x(open_from), axis.x(end.earliest)
            shapes.append(Shape("bar", f"{a:.1f}", bar_top, f"{b - a:.1f}", bar_height,
                                style.colour))
        elif end is None:
            a = axis.x(open_from)
            b = min(axis.x(open_from + dt.timedelta(days=45)), axis.right)
            shapes.append(Shape("fade", f"{a:.1f}", bar_top, f"{b - a:.1f}", bar_height,
                                style.fade))
            right = max(right, b)
    for when in (opens, end):
        if when is None:
            continue
        a, b = axis.x(when.earliest), axis.x_end(when.latest)
        left, right = min(left, a), max(right, b)
        if when.exact:
            centre = (a + b) / 2
            shapes.append(Shape("diamond", f"{centre:.1f}", f"{top - 2:.1f}"))
            left, right = min(left, centre - 9), max(right, centre + 9)
        else:
            shapes.append(Shape("estimate", f"{a:.1f}", str(top), f"{b - a:.1f}",
                                str(height)))
    return left, right


def tooltip(program: Program) -> str:
    """The program and every window in words, one per line (the row's SVG title)."""
    lines = [program.title]
    for window in program.windows:
        lines.extend(window_sentences(window))
    return "\n".join(lines)


def fit(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:/-")
    return cut + "\u2026"


def dated(window: Window) -> bool:
    """True when the window has a date to chart (or is open all year)."""
    return window.year_round or any(
        when is not None for when in (window.opens, window.closes, window.deadline)
    )


def year_round_only(window: Window) -> bool:
    return window.year_round and window.opens is None and window.closes is None \
        and window.deadline is None


def window_label(window: Window) -> str:
    """The short wording beside a bar, e.g. "opens mid Oct, closes Dec"."""
    if window.year_round and window.opens is None:
        return "open all year" + (", rolling" if window.rolling else "")
    bits = []
    if window.opens is not None:
        bits.append(f"opens {_compact(window.opens)}")
    if window.deadline is not None:
        bits.append(f"deadline {_compact(window.deadline)}")
    elif window.closes is not None:
        bits.append(f"closes {_compact(window.closes)}")
    elif window.duration is not None:
        bits.append(f"open {window.duration.wording}")
    if window.rolling:
        bits.append("rolling")
    return ", ".join(bits)


def _compact(when: FuzzyDate) -> str:
    """Short wording for a label inside the chart, e.g. "~mid Oct" or "Aug-Oct"."""
    if when.exact:
        return f"{when.earliest.day} {when.earliest.strftime('%b')}"
    prefix = "~" if when.approximate else ""
    first, last = when.earliest, when.latest
    if first.year == last.year and first.month == last.month:
        if first.day == 1 and (last + dt.timedelta(days=1)).day == 1:
            return f"{prefix}{first.strftime('%b')}"
        part = {1: "early", 11: "mid", 21: "late"}.get(first.day)
        if part:
            return f"{prefix}{part} {first.strftime('%b')}"
    return f"{prefix}{first.strftime('%b')}\u2013{last.strftime('%b')}"


def window_sentences(window: Window) -> Iterator[str]:
    """The window in full sentences, for the text table and the row's tooltip."""
    def say(what: str, when: FuzzyDate) -> str:
        kind = "confirmed" if when.exact else "estimate"
        return f"{what}: {when.wording} ({kind})"

    if window.year_round and window.opens is None:
        yield "Open all year" + (", rolling admission" if window.rolling else "")
    if window.opens is not None:
        yield say("Opens", window.opens)
    if window.closes is not None:
        yield say("Closes", window.closes)
    elif window.duration is not None and window.opens is not None:
        yield f"Stays open {window.duration.wording} (estimate)"
    if window.deadline is not None:
        yield say("Deadline", window.deadline)
    if window.rolling and not window.year_round:
        yield "Rolling admission: apply early"
    if window.note:
        yield window.note
