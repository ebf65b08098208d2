"""Dataset + events + feeds -> the bytes of `calendars/index.html`, the subscribe page.

Pure: no filesystem, no clock. The page is self-contained (inline CSS, inline SVG, one small
optional script) and every piece of user text goes through `_e` (HTML escaping); only
http(s) addresses ever become a link.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from . import dates
from .expand import window_closes
from .model import Dataset, Event, FeedSpec, FuzzyDate, Program, Window
from .render import feed_url
from .select import select
from .text import plural, span

PAGE_PATH = "index.html"
GOOGLE_FROM_URL = "https://calendar.google.com/calendar/r/settings/addbyurl"
OUTLOOK_ADD_FROM_WEB = "https://outlook.live.com/calendar/0/addfromweb"

# Colour-blind-friendly, each at least 4.5:1 against white so it can also colour text.
TRACK_COLOURS = ("#1d5fc4", "#0b7a5f", "#b44a10", "#7b3fb3", "#b0235f", "#5b6b00")
TRACK_TINTS = ("#dce8fa", "#d6efe7", "#f8e1d3", "#ebe0f6", "#f6dbe6", "#e9edcc")


def is_web_address(text: str | None) -> bool:
    """True for an absolute http:// or https:// address with a host."""
    if not text:
        return False
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def webcal_url(url: str) -> str:
    """The same address with the webcal:// scheme that Apple Calendar subscribes to."""
    _, _, rest = url.partition("://")
    return f"webcal://{rest}"


def outlook_url(url: str, name: str) -> str:
    """Outlook.com's "Subscribe from web" form, filled in with the feed and its name."""
    return f"{OUTLOOK_ADD_FROM_WEB}?{urlencode({'url': url, 'name': name})}"


def render_page(dataset: Dataset, events: Sequence[Event],
                feeds: Sequence[tuple[FeedSpec, int]], base_url: str | None = None, *,
                selected: Mapping[str, Sequence[Event]] | None = None) -> bytes:
    """The subscribe page as UTF-8 bytes. `base_url` must be http(s) or None.

    `selected`: each feed's events by path when the caller has chosen them already.
    """
    if base_url is not None and not is_web_address(base_url):
        raise ValueError(f"base URL {base_url!r} is not an http(s) address")
    # Encoded piece by piece: the whole page as one str would take up to four bytes a
    # character (one emoji is enough), on top of its UTF-8 bytes.
    sections = _Page(dataset, events, feeds, base_url, selected).sections()
    return b"".join([sections.pop(0).encode("utf-8") for _ in range(len(sections))])


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)



def _short_day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


# Programs named on each feed's card before "and N more".
CARD_PROGRAMS = 100


@dataclass(frozen=True, slots=True)
class _Axis:
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


class _Page:
    def __init__(self, dataset: Dataset, events: Sequence[Event],
                 feeds: Sequence[tuple[FeedSpec, int]], base_url: str | None,
                 selected: Mapping[str, Sequence[Event]] | None = None) -> None:
        self.dataset = dataset
        self.events = events
        self.selected = selected or {}
        self.feeds = feeds
        self.base_url = base_url
        self.colour = {t.key: TRACK_COLOURS[i % len(TRACK_COLOURS)]
                       for i, t in enumerate(dataset.tracks)}
        self.tint = {t.key: TRACK_TINTS[i % len(TRACK_TINTS)]
                     for i, t in enumerate(dataset.tracks)}
        self.pattern = {t.key: f"hatch-{i}" for i, t in enumerate(dataset.tracks)}
        self.fade = {t.key: f"fade-{i}" for i, t in enumerate(dataset.tracks)}
        self.track_title = {t.key: t.title for t in dataset.tracks}
        self.prefix = "w-"

    # -- the document ------------------------------------------------------------------

    def render(self) -> str:
        return "".join(self.sections())

    def sections(self) -> list[str]:
        """The page in a few large pieces (encoded one by one, see `render_page`)."""
        d = self.dataset
        parts = [
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            # How a build recognises the page as its own (output.recognise).
            "<meta name=\"generator\" content=\"deadlinecal\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"color-scheme\" content=\"light\">\n"
            "<link rel=\"icon\" href=\"data:,\">\n",
            f"<meta name=\"description\" content=\"{_e(_summary_line(d))}\">\n",
            f"<title>{_e(d.title)} — calendars to subscribe to</title>\n",
            f"<style>{_CSS}</style>\n</head>\n<body>\n",
            "<a class=\"skip\" href=\"#feeds\">Skip to the calendars</a>\n",
            self.header(),
            "<main>\n",
            self.notice(),
            self.timeline_section(),
            self.feeds_section(),
            self.refresh_section(),
            "</main>\n",
            self.footer(),
            f"<script>{_SCRIPT}</script>\n",
            "</body>\n</html>\n",
        ]
        return parts

    def header(self) -> str:
        d = self.dataset
        programs = len(d.programs)
        lines = [
            "<header class=\"top\"><div class=\"wrap\">\n",
            "<p class=\"eyebrow\">Calendar feeds · updated "
            f"<time datetime=\"{d.updated.isoformat()}\">{_e(dates.human_day(d.updated))}"
            "</time></p>\n",
            f"<h1>{_e(d.title)}</h1>\n",
        ]
        if d.description:
            lines.append(f"<p class=\"lede\">{_e(d.description)}</p>\n")
        lines.append(
            f"<p class=\"facts\"><span>{plural(programs, 'program')}</span>"
            f"<span>{plural(len(self.events), 'calendar event')}</span>"
            f"<span>Season: {_e(_short_day(d.cycle_starts))} &ndash; "
            f"{_e(_short_day(d.cycle_ends))}</span>"
            f"<span>Source: {self.source_link()}</span></p>\n"
        )
        lines.append("<nav aria-label=\"On this page\"><a href=\"#timeline\">The season at a "
                     "glance</a><a href=\"#feeds\">Pick a calendar</a><a href=\"#updates\">"
                     "How updates arrive</a></nav>\n")
        lines.append("</div></header>\n")
        return "".join(lines)

    def source_link(self) -> str:
        source = self.dataset.source
        if is_web_address(source.url):
            return f"<a href=\"{_e(source.url)}\">{_e(source.name)}</a>"
        return _e(source.name)

    def notice(self) -> str:
        if self.base_url:
            return ""
        return (
            "<div class=\"wrap\"><section class=\"notice\" id=\"no-address\" "
            "aria-labelledby=\"notice-h\">\n"
            "<h2 id=\"notice-h\">These calendars have no public address yet</h2>\n"
            "<p>Subscribing needs the web address where this folder is published, and this "
            "page was built without one, so its links are relative. <strong>Download</strong> "
            "works anywhere, but a downloaded file is a one-time copy that never updates. "
            "When this page is opened from a web server (for example "
            "<code>deadlinecal serve</code>), the subscribe buttons use that server's address"
            " instead; it must stay reachable for the calendar to update.</p>\n"
            "<p>To publish for good, rebuild with <code>deadlinecal build --base-url "
            "https://…</code> or set <code>base_url</code> under <code>dataset</code> in the "
            "data file.</p>\n"
            "<p class=\"live-address\" hidden>Using this page's address: "
            "<code data-fill=\"origin\"></code></p>\n"
            "</section></div>\n"
        )

    def footer(self) -> str:
        d = self.dataset
        return (
            "<footer><div class=\"wrap\">"
            f"<p>Built by deadlinecal from <code>{_e(d.id)}</code>, data last edited "
            f"{_e(dates.human_day(d.updated))}. Dates marked as estimates are not announced "
            "yet: check each program's own page before you rely on them.</p>"
            "</div></footer>\n"
        )

    # -- the timeline ------------------------------------------------------------------

    def timeline_section(self) -> str:
        charted, watched = self.split_programs()
        parts = [
            "<section class=\"wrap\" id=\"timeline\" aria-labelledby=\"timeline-h\">\n",
            "<h2 id=\"timeline-h\">The season at a glance</h2>\n",
            "<p>Each row is one program, grouped by track. Most dates are estimates "
            "that firm up as programs announce them.</p>\n",
            _LEGEND,
            "<div class=\"chart\" tabindex=\"0\" role=\"group\" aria-label=\"Timeline, "
            "scrolls sideways on narrow screens\">\n",
            self.svg(charted),
            self.svg(charted, narrow=True),
            "</div>\n",
            "<p class=\"today-note\" hidden></p>\n",
        ]
        if watched:
            parts.append(self.watch_list(watched))
        parts.append(self.date_table(charted))
        parts.append("</section>\n")
        return "".join(parts)

    def split_programs(self) -> tuple[list[Program], list[Program]]:
        charted, watched = [], []
        for track in self.dataset.tracks:
            for program in self.dataset.programs:
                if program.track != track.key:
                    continue
                if any(_dated(w) for w in program.windows):
                    charted.append(program)
                else:
                    watched.append(program)
        return charted, watched

    def svg(self, programs: list[Program], *, narrow: bool = False) -> str:
        """The timeline: wide with names beside the bars, or narrow (phones) with names above."""
        d = self.dataset
        self.prefix = "n-" if narrow else "w-"
        width, label_width, axis_height = (420, 10, 62) if narrow else (1000, 300, 62)
        row, track_row = (42, 30) if narrow else (28, 30)
        axis = _Axis(first=d.cycle_starts, last=d.cycle_ends, left=label_width,
                     right=width - (10 if narrow else 16))
        body: list[str] = []
        y = axis_height
        for track in d.tracks:
            rows = [p for p in programs if p.track == track.key]
            if not rows:
                continue
            colour = self.colour[track.key]
            body.append(f"<text class=\"track\" x=\"8\" y=\"{y + 20}\" fill=\"{colour}\">"
                        f"{_e(track.title)}</text>")
            body.append(f"<line x1=\"8\" x2=\"{axis.right}\" y1=\"{y + 27}\" y2=\"{y + 27}\" "
                        f"stroke=\"{colour}\" stroke-opacity=\".35\"/>")
            y += track_row
            for program in rows:
                body.append(self.program_row(program, axis, y, row, label_width, narrow))
                y += row
        height = y + 10
        title = f"Timeline of {d.title}"
        description = (
            f"From {dates.human_day(d.cycle_starts)} to {dates.human_day(d.cycle_ends)}, "
            f"{plural(len(programs), 'program')} with dates, by track. "
            "The same dates are listed as text in the table below the chart."
        )
        pre = self.prefix
        head = [
            f"<svg class=\"timeline {'narrow' if narrow else 'wide'}\" "
            f"xmlns=\"http://www.w3.org/2000/svg\" "
            f"viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" "
            f"role=\"img\" aria-labelledby=\"{pre}tl-title {pre}tl-desc\" "
            f"data-first=\"{axis.first.isoformat()}\" data-days=\"{axis.days}\" "
            f"data-left=\"{axis.left}\" data-right=\"{axis.right}\">",
            f"<title id=\"{pre}tl-title\">{_e(title)}</title>",
            f"<desc id=\"{pre}tl-desc\">{_e(description)}</desc>",
            self.defs(),
            self.months(axis, axis_height, height),
            # Under the rows, so the bars and their wording stay readable where it crosses.
            "<g class=\"today-marker\" style=\"display:none\">"
            f"<line x1=\"0\" x2=\"0\" y1=\"19\" y2=\"{height - 4}\" "
            f"stroke=\"#c2185b\" stroke-width=\"2\"/>"
            f"<rect x=\"-24\" y=\"2\" width=\"48\" height=\"17\" rx=\"8.5\" "
            f"fill=\"#c2185b\"/>"
            f"<text x=\"0\" y=\"14.5\" class=\"today\" text-anchor=\"middle\">"
            f"today</text></g>",
        ]
        tail = ["</svg>\n"]
        return "".join(head + body + tail)

    def defs(self) -> str:
        parts = ["<defs>"]
        for track in self.dataset.tracks:
            colour, tint = self.colour[track.key], self.tint[track.key]
            parts.append(
                f"<pattern id=\"{self.prefix}{self.pattern[track.key]}\" "
                f"patternUnits=\"userSpaceOnUse\" "
                f"width=\"6\" height=\"6\" patternTransform=\"rotate(45)\">"
                f"<rect width=\"6\" height=\"6\" fill=\"{tint}\"/>"
                f"<rect width=\"2.4\" height=\"6\" fill=\"{colour}\"/></pattern>"
                f"<linearGradient id=\"{self.prefix}{self.fade[track.key]}\">"
                f"<stop offset=\"0\" stop-color=\"{colour}\"/>"
                f"<stop offset=\"1\" stop-color=\"{colour}\" stop-opacity=\"0\"/>"
                f"</linearGradient>"
            )
        parts.append("</defs>")
        return "".join(parts)

    def months(self, axis: _Axis, top: int, height: int) -> str:
        parts = []
        month = axis.first.replace(day=1)
        index = 0
        while month <= axis.last:
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            left = axis.x(max(month, axis.first))
            right = axis.x(min(following, axis.last + dt.timedelta(days=1)))
            if index % 2 == 0:
                parts.append(f"<rect x=\"{left:.1f}\" y=\"{top - 18}\" "
                             f"width=\"{right - left:.1f}\" height=\"{height - top + 14}\" "
                             f"fill=\"#f1efe9\"/>")
            parts.append(f"<line x1=\"{left:.1f}\" x2=\"{left:.1f}\" y1=\"{top - 18}\" "
                         f"y2=\"{height - 4}\" stroke=\"#d9d5cc\"/>")
            if right - left > 22:
                parts.append(f"<text class=\"month\" x=\"{(left + right) / 2:.1f}\" "
                             f"y=\"{top - 6}\" text-anchor=\"middle\">"
                             f"{month.strftime('%b')}</text>")
            if month.month == 1 or index == 0:
                parts.append(f"<text class=\"year\" x=\"{left + 3:.1f}\" y=\"{top - 26}\">"
                             f"{month.year}</text>")
            month = following
            index += 1
        return "".join(parts)

    def program_row(self, program: Program, axis: _Axis, y: int, row: int,
                    label_width: int, narrow: bool) -> str:
        key = program.track
        colour = self.colour[key]
        name = program.title
        if narrow:
            middle: float = y + 28
            name_at = f"x=\"{axis.left}\" y=\"{y + 14}\""
            shown = _fit(name, 56)
        else:
            middle = y + row / 2
            name_at = f"x=\"16\" y=\"{middle + 4.5:.1f}\""
            shown = _fit(name, 40)
        bar_top, bar_height = middle - 7, 14
        parts = [f"<g class=\"row\"><title>{_e(self.row_tooltip(program))}</title>",
                 f"<text class=\"name\" {name_at}>{_e(shown)}</text>"]
        reach_left, reach_right = axis.right, axis.left
        labels = []
        for window in program.windows:
            if not _dated(window):
                continue
            shapes, left, right = self.window_shapes(window, key, axis, bar_top, bar_height)
            parts.extend(shapes)
            reach_left, reach_right = min(reach_left, left), max(reach_right, right)
            if not _year_round_only(window):
                labels.append(_window_label(window))
        label = " · ".join(labels)
        if not label:
            parts.append("</g>")
            return "".join(parts)
        room_right = axis.right - reach_right
        width_needed = 6.6 * len(label) + 8
        if narrow:
            label_width = int(axis.left)
        if room_right >= width_needed:
            parts.append(f"<text class=\"when\" x=\"{reach_right + 6:.1f}\" "
                         f"y=\"{middle + 4:.1f}\" fill=\"{colour}\">{_e(label)}</text>")
        elif reach_left - label_width >= width_needed:
            parts.append(f"<text class=\"when\" x=\"{reach_left - 6:.1f}\" "
                         f"y=\"{middle + 4:.1f}\" text-anchor=\"end\" fill=\"{colour}\">"
                         f"{_e(label)}</text>")
        parts.append("</g>")
        return "".join(parts)

    def window_shapes(self, window: Window, key: str, axis: _Axis, top: float,
                      height: float) -> tuple[list[str], float, float]:
        colour = self.colour[key]
        hatch = f"url(#{self.prefix}{self.pattern[key]})"
        shapes: list[str] = []
        if _year_round_only(window):
            left, right = axis.left, axis.right
            shapes.append(f"<rect x=\"{left}\" y=\"{top}\" width=\"{right - left}\" "
                          f"height=\"{height}\" rx=\"3\" fill=\"{colour}\" "
                          f"fill-opacity=\".18\"/>")
            shapes.append(f"<text class=\"when\" x=\"{left + 8}\" y=\"{top + 11}\" "
                          f"fill=\"{colour}\">{_e(_window_label(window))}</text>")
            return shapes, right, right
        opens = window.opens
        end = window.deadline or window_closes(window)
        left, right = axis.right, axis.left
        if opens is not None:
            open_from = opens.latest + dt.timedelta(days=1)
            if end is not None and end.earliest > open_from:
                a, b = axis.x(open_from), axis.x(end.earliest)
                shapes.append(f"<rect x=\"{a:.1f}\" y=\"{top + 2}\" width=\"{b - a:.1f}\" "
                              f"height=\"{height - 4}\" fill=\"{colour}\"/>")
            elif end is None:
                a = axis.x(open_from)
                b = min(axis.x(open_from + dt.timedelta(days=45)), axis.right)
                fade = f"url(#{self.prefix}{self.fade[key]})"
                shapes.append(f"<rect x=\"{a:.1f}\" y=\"{top + 2}\" width=\"{b - a:.1f}\" "
                              f"height=\"{height - 4}\" fill=\"{fade}\"/>")
                right = max(right, b)
        for when in (opens, end):
            if when is None:
                continue
            a, b = axis.x(when.earliest), axis.x_end(when.latest)
            left, right = min(left, a), max(right, b)
            if when.exact:
                centre = (a + b) / 2
                shapes.append(f"<path d=\"M{centre:.1f} {top - 2:.1f}l9 9-9 9-9-9z\" "
                              f"fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"1.5\"/>")
                left, right = min(left, centre - 9), max(right, centre + 9)
            else:
                shapes.append(f"<rect x=\"{a:.1f}\" y=\"{top}\" width=\"{b - a:.1f}\" "
                              f"height=\"{height}\" fill=\"{hatch}\" stroke=\"{colour}\" "
                              f"stroke-dasharray=\"3 2\"/>")
        return shapes, left, right

    def row_tooltip(self, program: Program) -> str:
        lines = [program.title]
        for window in program.windows:
            lines.extend(_window_sentences(window))
        return "\n".join(lines)

    def watch_list(self, programs: list[Program]) -> str:
        parts = ["<h3>No dates yet: watch these</h3>\n",
                 "<p>These programs have published no application dates. Each sits in the "
                 "calendars on the first day of the season as a reminder to check.</p>\n",
                 "<ul class=\"watch\">\n"]
        for program in programs:
            colour = self.colour[program.track]
            name = _e(program.title)
            if is_web_address(program.link):
                name = f"<a href=\"{_e(program.link)}\">{name}</a>"
            note = f"<span class=\"note\">{_e(program.notes)}</span>" if program.notes else ""
            parts.append(f"<li><span class=\"tag\" style=\"color:{colour}\">"
                         f"{_e(self.track_title[program.track])}</span> {name}{note}</li>\n")
        parts.append("</ul>\n")
        return "".join(parts)

    def date_table(self, programs: list[Program]) -> str:
        parts = ["<details class=\"dates\"><summary>All dates as text</summary>\n",
                 "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">Program"
                 "</th><th scope=\"col\">Track</th><th scope=\"col\">When</th></tr></thead>"
                 "\n<tbody>\n"]
        for program in programs:
            name = _e(program.title)
            if is_web_address(program.link):
                name = f"<a href=\"{_e(program.link)}\">{name}</a>"
            when = "<br>".join(_e(sentence) for window in program.windows
                               for sentence in _window_sentences(window))
            parts.append(f"<tr><th scope=\"row\">{name}</th>"
                         f"<td>{_e(self.track_title[program.track])}</td><td>{when}</td></tr>\n")
        parts.append("</tbody></table></div></details>\n")
        return "".join(parts)

    # -- the feeds ---------------------------------------------------------------------

    def feeds_section(self) -> str:
        groups: dict[str, list[tuple[FeedSpec, int]]] = {}
        for spec, count in self.feeds:
            groups.setdefault(_group_of(spec.path), []).append((spec, count))
        parts = [
            "<section class=\"wrap\" id=\"feeds\" aria-labelledby=\"feeds-h\">\n",
            "<h2 id=\"feeds-h\">Pick a calendar</h2>\n",
            "<p>Subscribe once and new or corrected dates arrive by themselves. Pick the "
            "narrowest calendar that fits you, so your calendar stays uncluttered. Every "
            "event is free time (it never blocks your schedule). A title says what to do "
            "first; a <q>~</q> before it marks an estimated date.</p>\n",
        ]
        for heading, intro in _GROUPS:
            members = groups.get(heading)
            if not members:
                continue
            slug = heading.lower().replace(" ", "-")
            if heading == "Everything":
                parts.append("<div class=\"cards featured\">\n")
                parts.extend(self.feed_card(spec, count, level=3) for spec, count in members)
                parts.append("</div>\n")
                continue
            parts.append(f"<h3 id=\"group-{slug}\">{_e(heading)}</h3>\n")
            if intro:
                parts.append(f"<p class=\"group-intro\">{_e(intro)}</p>\n")
            parts.append("<div class=\"cards\">\n")
            parts.extend(self.feed_card(spec, count) for spec, count in members)
            parts.append("</div>\n")
        parts.append("</section>\n")
        return "".join(parts)

    def feed_card(self, spec: FeedSpec, count: int, level: int = 4) -> str:
        name = self.short_title(spec)
        anchor = "feed-" + spec.path.removesuffix(".ics").replace("/", "-")
        chosen = self.selected.get(spec.path)
        if chosen is None:
            chosen = select(self.events, spec.filter)
        # Distinct by identity first (a list's `in` made this quadratic in the events),
        # then by value, as before.
        distinct = {id(event.program): event.program for event in chosen}
        programs: list[Program] = list(dict.fromkeys(distinct.values()))
        relative = quote(spec.path, safe="/")
        accent = ""
        if spec.path.startswith("tracks/"):
            key = spec.path.removeprefix("tracks/").removesuffix(".ics")
            if key in self.colour:
                accent = f" style=\"border-top-color:{self.colour[key]}\""
        if self.base_url:
            https = feed_url(self.base_url, spec.path)
            apple_href, outlook_href, shown = webcal_url(https), outlook_url(https, spec.title), \
                https
        else:
            apple_href, outlook_href, shown = relative, OUTLOOK_ADD_FROM_WEB, relative
        hidden_name = f"<span class=\"vh\"> {_e(name)}</span>"
        input_id = f"url-{anchor}"
        # A long list helps nobody on a card (and at tens of thousands of programs it was
        # most of the page): show the first ones and point to the full table.
        program_items = "".join(f"<li>{_e(p.title)}</li>" for p in programs[:CARD_PROGRAMS])
        if len(programs) > CARD_PROGRAMS:
            program_items += (f"<li>and {len(programs) - CARD_PROGRAMS:,} more (see "
                              "<a href=\"#timeline\">all dates as text</a>)</li>")
        return "".join([
            f"<article class=\"card\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\"{accent}>\n",
            f"<h{level} id=\"{anchor}-h\">{_e(name)}</h{level}>\n",
            f"<p class=\"count\"><strong>{plural(count, 'event')}</strong> from "
            f"{plural(len(programs), 'program')}</p>\n",
            f"<p class=\"desc\">{_e(spec.description)}</p>\n",
            "<div class=\"actions\">",
            f"<a class=\"btn primary\" data-link=\"apple\" data-rel=\"{_e(relative)}\" "
            f"href=\"{_e(apple_href)}\">Apple Calendar{hidden_name}</a>",
            f"<a class=\"btn\" data-link=\"google\" href=\"{GOOGLE_FROM_URL}\" "
            f"target=\"_blank\" rel=\"noopener\">Google Calendar{hidden_name}</a>",
            f"<a class=\"btn\" data-link=\"outlook\" data-rel=\"{_e(relative)}\" "
            f"data-name=\"{_e(spec.title)}\" href=\"{_e(outlook_href)}\" target=\"_blank\" "
            f"rel=\"noopener\">Outlook{hidden_name}</a>",
            f"<a class=\"btn quiet\" data-link=\"download\" href=\"{_e(relative)}\" download>"
            f"Download .ics{hidden_name}</a>",
            "</div>\n",
            f"<label class=\"url-label\" for=\"{input_id}\">Calendar address (for Google "
            "Calendar and Outlook)</label>\n",
            f"<div class=\"url-row\"><input id=\"{input_id}\" class=\"url\" type=\"text\" "
            f"readonly value=\"{_e(shown)}\" data-rel=\"{_e(relative)}\" "
            "spellcheck=\"false\">"
            f"<button type=\"button\" class=\"copy\" data-copy=\"{input_id}\" hidden>Copy"
            f"<span class=\"vh\"> the address of {_e(name)}</span></button></div>\n",
            "<details class=\"steps\"><summary>Step by step for Google Calendar and "
            "Outlook</summary>\n",
            "<p class=\"app\">Google Calendar</p><ol>"
            "<li>Copy the calendar address above.</li>"
            f"<li>On a computer, open <a href=\"{GOOGLE_FROM_URL}\" target=\"_blank\" "
            "rel=\"noopener\">Google Calendar &rsaquo; Add calendar &rsaquo; From URL</a> "
            "(or click "
            "<b>+</b> next to <b>Other calendars</b>, then <b>From URL</b>).</li>"
            "<li>Paste the address into <b>URL of calendar</b> and click <b>Add calendar"
            "</b>.</li><li>It appears under <b>Other calendars</b> and on your phone's "
            "Google Calendar app by itself.</li></ol>\n",
            "<p class=\"app\">Outlook</p><ol>"
            "<li>Copy the calendar address above.</li>"
            "<li>In Outlook on the web or the new Outlook, open the calendar and choose "
            "<b>Add calendar &rsaquo; Subscribe from web</b> (the <b>Outlook</b> button above "
            "opens "
            "that form with the address filled in for an Outlook.com account).</li>"
            "<li>Paste the address, give the calendar a name and choose <b>Import</b>."
            "</li></ol>\n",
            "</details>\n",
            f"<details class=\"programs\"><summary>Which programs "
            f"({len(programs)})</summary><ul>{program_items}</ul></details>\n",
            "</article>\n",
        ])

    def short_title(self, spec: FeedSpec) -> str:
        if spec.path == "all.ics":
            return "Everything, in one calendar"
        prefix = f"{self.dataset.title}: "
        short = spec.title.removeprefix(prefix)
        return short[:1].upper() + short[1:]

    def refresh_section(self) -> str:
        hours = self.dataset.refresh_hours
        return (
            "<section class=\"wrap\" id=\"updates\" aria-labelledby=\"updates-h\">\n"
            "<h2 id=\"updates-h\">How updates arrive</h2>\n"
            "<ul class=\"plain\">"
            f"<li><b>Apple Calendar</b> checks on the schedule you choose when you subscribe "
            f"(this calendar suggests every {plural(hours, 'hour')}).</li>"
            "<li><b>Google Calendar</b> refreshes subscribed calendars on its own schedule, "
            "often 8 to 24 hours apart, and has no refresh button.</li>"
            "<li><b>Outlook</b> also refreshes on its own schedule, usually within several "
            "hours.</li>"
            "<li>Reminders (alerts) on subscribed calendars are not shown by Google or "
            "Outlook, which is why each opening comes with a real follow-up event "
            f"({span(self.dataset.follow_up_days)} later by default): <q>Apply</q>, or "
            "<q>Check</q> when the opening is still too uncertain to count from.</li>"
            "</ul>\n</section>\n"
        )


_GROUPS = (
    ("Everything", ""),
    ("By track", "The kind of work: each track selects candidates differently."),
    ("By who can apply", "Programs open to your stage of study."),
    ("Hand-picked", ""),
)


def _group_of(path: str) -> str:
    if path == "all.ics":
        return "Everything"
    if path.startswith("tracks/"):
        return "By track"
    if path.startswith("eligibility/"):
        return "By who can apply"
    return "Hand-picked"



def _fit(text: str, limit: int) -> str:
    """Shorten to at most `limit` characters at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:/-")
    return cut + "\u2026"


def _dated(window: Window) -> bool:
    return window.year_round or any(
        when is not None for when in (window.opens, window.closes, window.deadline)
    )


def _year_round_only(window: Window) -> bool:
    return window.year_round and window.opens is None and window.closes is None \
        and window.deadline is None


def _window_label(window: Window) -> str:
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


def _window_sentences(window: Window) -> Iterable[str]:
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


def _summary_line(dataset: Dataset) -> str:
    return (f"Subscribe to {dataset.title} in Apple Calendar, Google Calendar or Outlook: "
            f"{plural(len(dataset.programs), 'program')}.")


_LEGEND = (
    "<ul class=\"legend\" aria-label=\"How to read the timeline\">"
    "<li><span class=\"key solid\"></span>Applications open</li>"
    "<li><span class=\"key hatched\"></span>Estimated: the date falls somewhere in here</li>"
    "<li><span class=\"key diamond\"></span>Confirmed date</li>"
    "<li><span class=\"key fade\"></span>No closing date: rolling, apply early</li>"
    "<li><span class=\"key today\"></span>Today</li>"
    "</ul>\n"
)

_CSS = """
:root{--ink:#1b1e25;--muted:#4d5360;--paper:#fbfaf7;--card:#fff;--line:#e2ded5;
--accent:#1d5fc4;--accent-dark:#164a99;font-family:system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:var(--paper);line-height:1.5}
*{box-sizing:border-box}body{margin:0}
.wrap{max-width:1080px;margin:0 auto;padding:0 20px}
.skip{position:absolute;left:-999px}.skip:focus{left:12px;top:12px;background:#fff;padding:8px;
z-index:2}
a{color:var(--accent-dark)}a:focus-visible,button:focus-visible,summary:focus-visible,
.chart:focus-visible,input:focus-visible{outline:3px solid #f0a800;outline-offset:2px}
.top{background:linear-gradient(160deg,#14213d 0%,#1d3a6e 60%,#24508f 100%);color:#fff;
padding:36px 0 22px}
.top a{color:#fff}
.eyebrow{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:.78rem;
color:#c9d6ee}
h1{font-size:clamp(1.6rem,4.5vw,2.5rem);line-height:1.15;margin:.3em 0 .4em}
.lede{max-width:62em;margin:0 0 1em;color:#e8eef9}
.facts{display:flex;flex-wrap:wrap;gap:8px;margin:0 0 16px;padding:0}
.facts span{background:rgba(255,255,255,.12);border:1px solid rgba(255,255,255,.25);
border-radius:999px;padding:3px 12px;font-size:.9rem}
nav{display:flex;flex-wrap:wrap;gap:6px 18px;font-weight:600}
main{padding-top:12px}main section{margin-top:36px}
h2{font-size:1.55rem;margin:0 0 .4em}
h3{font-size:1.2rem;margin:1.6em 0 .3em}
.notice{background:#fff4d6;border:1px solid #e7c55c;border-radius:12px;padding:16px 20px;
margin-top:24px}
.notice h2{font-size:1.15rem}.notice p{margin:.4em 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;
background:rgba(0,0,0,.06);padding:1px 5px;border-radius:4px}
.legend{display:flex;flex-wrap:wrap;gap:6px 20px;list-style:none;padding:0;margin:10px 0 12px;
font-size:.92rem;color:var(--muted)}
.legend li{display:flex;align-items:center;gap:8px}
.key{display:inline-block;width:30px;height:14px;border-radius:2px}
.key.solid{background:#1d5fc4}
.key.hatched{background:repeating-linear-gradient(45deg,#1d5fc4 0 2px,#dce8fa 2px 5px);
outline:1px dashed #1d5fc4}
.key.diamond{width:14px;height:14px;background:#1d5fc4;transform:rotate(45deg) scale(.8);
border-radius:1px}
.key.fade{background:linear-gradient(90deg,#1d5fc4,rgba(29,95,196,0))}
.key.today{width:3px;background:#c2185b}
.chart{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:12px;
padding:8px 4px}
.chart svg{display:block;width:100%;height:auto}
.chart svg.wide{min-width:820px}.chart svg.narrow{display:none}
@media (max-width:640px){.chart svg.wide{display:none}.chart svg.narrow{display:block}}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg .track{font-weight:700;font-size:14px;letter-spacing:.02em}
svg .name{font-size:13px;fill:#1b1e25}
svg .when{font-size:12px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;
stroke-linejoin:round}
svg .month{font-size:12px;fill:#4d5360}
svg .year{font-size:12px;font-weight:700;fill:#1b1e25}
svg .today{font-size:11px;font-weight:700;fill:#fff}
svg .row:hover .name{text-decoration:underline}
.today-note{color:#a3154e;font-weight:600;margin:.5em 0 0}
.watch{list-style:none;padding:0;margin:0;display:grid;gap:10px;
grid-template-columns:repeat(auto-fill,minmax(320px,1fr))}
.watch li{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:10px 14px}
.watch .tag{font-weight:700;font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;
margin-right:6px}
.watch .note{display:block;color:var(--muted);font-size:.92rem;margin-top:2px}
details.dates{margin:18px 0 8px}
summary{cursor:pointer;font-weight:600;color:var(--accent-dark)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin-top:10px;background:var(--card);
font-size:.93rem}
th,td{text-align:left;vertical-align:top;padding:8px 10px;border-bottom:1px solid var(--line)}
thead th{background:#f1efe9}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(310px,1fr));gap:16px}
.card{background:var(--card);border:1px solid var(--line);border-top:5px solid #14213d;
border-radius:12px;padding:16px 18px;display:flex;flex-direction:column;gap:4px;
box-shadow:0 1px 2px rgba(20,33,61,.06)}
.card h3,.card h4{font-size:1.1rem;margin:0}
.count{margin:0;color:var(--muted);font-size:.92rem}
.count strong{color:var(--ink)}
.desc{margin:.2em 0 .6em;font-size:.95rem}
.group-intro{margin:0 0 12px;color:var(--muted)}
.actions{display:grid;grid-template-columns:1fr 1fr;gap:8px;margin:4px 0 10px}
.featured .actions{grid-template-columns:repeat(4,max-content)}
.featured .btn{padding:8px 14px}
.cards.featured{grid-template-columns:1fr}
.featured .card{border-top-color:var(--accent)}
.featured .url-row{max-width:640px}
.btn{display:block;text-align:center;white-space:nowrap;padding:8px 6px;border-radius:8px;
border:1px solid #b9c3d6;
background:#f3f6fb;color:#14213d;font-weight:600;font-size:.88rem;text-decoration:none}
.btn:hover{background:#e4ebf6}
.btn.primary{background:var(--accent);border-color:var(--accent);color:#fff}
.btn.primary:hover{background:var(--accent-dark)}
.btn.quiet{background:transparent}
.url-label{font-size:.82rem;color:var(--muted)}
.url-row{display:flex;gap:6px}
.url{flex:1;min-width:0;font:inherit;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,
monospace;font-size:.82rem;padding:6px 8px;border:1px solid #c9c4b8;border-radius:6px;
background:#faf9f6;color:var(--ink)}
.copy{font:inherit;font-size:.85rem;padding:4px 10px;border-radius:6px;border:1px solid #b9c3d6;
background:#fff;cursor:pointer}
.steps,.programs{font-size:.93rem;margin-top:4px}
.steps .app{font-weight:700;margin:.6em 0 0}
.steps ol,.programs ul{margin:.3em 0;padding-left:1.4em}
.plain{padding-left:1.2em}.plain li{margin:.3em 0}
footer{margin-top:48px;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem;
padding:10px 0 30px}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
@media (max-width:560px){.wrap{padding:0 14px}.top{padding-top:24px}
.cards{grid-template-columns:1fr}.featured .actions{grid-template-columns:1fr 1fr}}
"""

# Optional: marks today on the timeline and, on a page built without a public address,
# fills in this server's own address. The page works without it.
_SCRIPT = """
(function(){
var marked=false;
document.querySelectorAll('svg.timeline').forEach(function(svg){
var p=svg.dataset.first.split('-');var now=new Date();
var days=(Date.UTC(now.getFullYear(),now.getMonth(),now.getDate())-Date.UTC(+p[0],p[1]-1,+p[2]))
/864e5;var total=+svg.dataset.days;
if(days>=0&&days<total){var l=+svg.dataset.left,r=+svg.dataset.right;
var x=l+(days+0.5)*(r-l)/total;var m=svg.querySelector('.today-marker');
m.setAttribute('transform','translate('+x.toFixed(1)+',0)');m.style.display='';
marked=now;}});
if(marked){var note=document.querySelector('.today-note');note.hidden=false;
note.textContent='Today, '+marked.toLocaleDateString('en-GB',{day:'numeric',month:'long',
year:'numeric'})+', is marked on the timeline.';}
var notice=document.getElementById('no-address');
if(notice&&/^https?:$/.test(location.protocol)){
var base=new URL('.',location.href);
var fill=notice.querySelector('[data-fill=origin]');fill.textContent=base.href;
fill.parentNode.hidden=false;
document.querySelectorAll('[data-rel]').forEach(function(el){
var url=new URL(el.dataset.rel,base).href;
if(el.dataset.link==='apple'){el.href=url.replace(/^https?:/,'webcal:');}
else if(el.dataset.link==='outlook'){el.href='""" + OUTLOOK_ADD_FROM_WEB + """?url='+
encodeURIComponent(url)+'&name='+encodeURIComponent(el.dataset.name);}
else if(el.tagName==='INPUT'){el.value=url;}});}
if(navigator.clipboard){document.querySelectorAll('button.copy').forEach(function(b){
b.hidden=false;b.addEventListener('click',function(){
var input=document.getElementById(b.dataset.copy);input.select();
navigator.clipboard.writeText(input.value).then(function(){b.firstChild.nodeValue='Copied';},
function(){b.firstChild.nodeValue='Select and copy';});});});}
})();
"""
