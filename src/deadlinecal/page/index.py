"""Dataset + events + feeds -> the bytes of `calendars/index.html`, the subscribe page.

Pure: no filesystem, no clock. This module builds a small view model of plain values
(`PageView`: feeds grouped in cards with their subscribe links, the timeline, the watch
list, the table of dates); `templates/page.html.j2` turns it into HTML with Jinja2's
autoescaping, so no value is ever escaped (or forgotten) by hand. Only http(s) addresses
ever become a link. The page is self-contained: inline CSS, inline SVG, one small optional
script. It is written out while the template runs, so a page of tens of thousands of
programs is never held as one string.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode, urlsplit

from deadlinecal.dataset import dates
from deadlinecal.events.select import select
from deadlinecal.ical.render import feed_url, webcal_url
from deadlinecal.model import Dataset, Event, FeedSpec, Program
from deadlinecal.page import timeline
from deadlinecal.page.picker import MAX_ADDRESS
from deadlinecal.text import plural, span

if TYPE_CHECKING:
    import jinja2

    from deadlinecal.page.picker import Picker

__all__ = ["GOOGLE_FROM_URL", "OUTLOOK_ADD_FROM_WEB", "PAGE_PATH", "feed_url",
           "is_web_address", "outlook_url", "render_page", "webcal_url"]

PAGE_PATH = "index.html"
# The common shape of a link, which urlsplit would read as http(s) with a host: a plain
# host name right after the scheme, then a path, query, fragment or nothing.
_PLAIN_WEB_ADDRESS = re.compile(r"(?i)https?://[A-Za-z0-9.-]+(?=[/?#]|\Z)")
GOOGLE_FROM_URL = "https://calendar.google.com/calendar/r/settings/addbyurl"
OUTLOOK_ADD_FROM_WEB = "https://outlook.live.com/calendar/0/addfromweb"
# Programs named on each feed's card before "and N more".
CARD_PROGRAMS = 100

_GROUPS = (
    ("Everything", ""),
    ("By track", "The kind of work: each track selects candidates differently."),
    ("By who can apply", "Programs open to your stage of study, and those whose source "
     "does not say (each event says which)."),
    ("Hand-picked", ""),
)


def is_web_address(text: str | None) -> bool:
    """True for an absolute http:// or https:// address with a host."""
    if not text:
        return False
    if _PLAIN_WEB_ADDRESS.match(text):
        return True  # what urlsplit would say, without its cost (once per program)
    parts = urlsplit(text.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def outlook_url(url: str, name: str) -> str:
    """Outlook.com's "Subscribe from web" form, filled in with the feed and its name.

    Like every address the page offers, at most MAX_ADDRESS characters: the name is left
    out when it would make the link longer, and then the address (the form stays empty).
    """
    for query in ({"url": url, "name": name}, {"url": url}):
        link = f"{OUTLOOK_ADD_FROM_WEB}?{urlencode(query)}"
        if len(link) <= MAX_ADDRESS:
            return link
    return OUTLOOK_ADD_FROM_WEB


@dataclass(frozen=True, slots=True)
class Subscribe:
    """Every way to subscribe to one feed, as the page offers them."""

    relative: str  # the feed's path from the page, percent-encoded
    apple: str  # webcal:// (relative without a public address)
    outlook: str  # Outlook's form, filled in when there is a public address
    address: str  # the address to copy: https://, or relative
    title: str  # the calendar's name, for Outlook's form


@dataclass(frozen=True, slots=True)
class Card:
    anchor: str
    level: int
    name: str
    count: str  # "12 events"
    programs: str  # "4 programs"
    program_count: int
    description: str
    accent: str  # the track's colour for a track's feed, else ""
    subscribe: Subscribe
    names: tuple[str, ...]  # the first CARD_PROGRAMS programs
    more: int  # how many programs are not named


@dataclass(frozen=True, slots=True)
class Group:
    heading: str
    slug: str
    intro: str
    featured: bool
    cards: tuple[Card, ...]


@dataclass(frozen=True, slots=True)
class EmployerFeed:
    """One employer's feed in the searchable list (a line, not a card: there are hundreds)."""

    name: str
    key: str  # the name folded, for the search box
    count: str
    subscribe: Subscribe


@dataclass(frozen=True, slots=True)
class Listed:
    """A program in the watch list or the table of dates."""

    name: str
    link: str | None  # only ever an http(s) address
    track: str
    colour: str
    notes: str
    sentences: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PageView:
    title: str
    description: str
    summary: str
    updated: dt.date
    updated_words: str
    programs: str
    events: str
    season: str
    source_name: str
    source_url: str | None
    published: bool  # built with a public address
    dataset_id: str
    refresh: str
    follow_up: str
    charts: tuple[timeline.Chart, ...]
    has_watched: bool
    watched: Iterable[Listed]
    charted: Iterable[Listed]
    groups: tuple[Group, ...]
    picker: PickerView | None = None
    employers: tuple[EmployerFeed, ...] = ()
    chart_note: str = ""  # what the timeline leaves out, when it charts only some programs


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    title: str


@dataclass(frozen=True, slots=True)
class Pick:
    """One personal feed, where the table of choices and the form lead."""

    anchor: str
    name: str
    count: str
    programs: str
    subscribe: Subscribe
    empty: bool = False  # no program fits the choice yet


@dataclass(frozen=True, slots=True)
class Cell:
    key: str  # the choice, as picker.Choice.key
    anchor: str  # its feed's Pick; "" when no program fits the choice
    text: str


@dataclass(frozen=True, slots=True)
class ChoiceTable:
    """The choices of one stage of study: a row per set of tracks, a column per
    citizenship status."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]


@dataclass(frozen=True, slots=True)
class PickerView:
    tracks: tuple[Option, ...]
    eligibility: tuple[Option, ...]
    citizenship: tuple[Option, ...]
    picks: tuple[Pick, ...]
    tables: tuple[ChoiceTable, ...]


def render_page(dataset: Dataset, events: Sequence[Event],
                feeds: Sequence[tuple[FeedSpec, int]], base_url: str | None = None, *,
                selected: Mapping[str, Sequence[Event]] | None = None,
                picker: Picker | None = None) -> bytes:
    """The subscribe page as UTF-8 bytes. `base_url` must be http(s) or None.

    `selected`: each feed's events by path when the caller has chosen them already.
    `picker`: the personal feeds a reader picks from (see picker.py); none when None.
    Raises ValueError for a base URL that is not http(s).
    """
    if base_url is not None and not is_web_address(base_url):
        raise ValueError(f"base URL {base_url!r} is not an http(s) address")
    view = page_view(dataset, events, feeds, base_url, selected or {})
    if picker is not None and picker.choices:
        view = dataclasses.replace(view, picker=picker_view(dataset, picker, base_url))
    # Encoded piece by piece as the template writes it: the whole page as one str would
    # take up to four bytes a character (one emoji is enough), on top of its UTF-8 bytes.
    # BytesIO hands its buffer over as the result (a bytearray's would be copied).
    out = io.BytesIO()
    pieces = _environment().get_template("page.html.j2").generate(
        page=view, google=GOOGLE_FROM_URL, outlook=OUTLOOK_ADD_FROM_WEB)
    # A few thousand pieces at a time: one encode each would cost more than the writing.
    while batch := list(itertools.islice(pieces, 4096)):
        out.write("".join(batch).encode("utf-8"))
    return out.getvalue()


@functools.cache
def _environment() -> jinja2.Environment:
    from deadlinecal.page.compiled import environment

    return environment()


def page_view(dataset: Dataset, events: Sequence[Event],
              feeds: Sequence[tuple[FeedSpec, int]], base_url: str | None,
              selected: Mapping[str, Sequence[Event]]
              ) -> PageView:
    """The page's view model: plain values (and lazy rows) for the template."""
    charted, watched = split_programs(dataset)
    shown, left_out = timeline.sample(charted)
    styles = timeline.styles(dataset)
    source = dataset.source
    return PageView(
        title=dataset.title,
        description=dataset.description,
        summary=(f"Subscribe to {dataset.title} in Apple Calendar, Google Calendar or "
                 f"Outlook: {plural(len(dataset.programs), 'program')}."),
        updated=dataset.updated,
        updated_words=dates.human_day(dataset.updated),
        programs=plural(len(dataset.programs), "program"),
        events=plural(len(events), "calendar event"),
        season=f"{_short_day(dataset.cycle_starts)} – {_short_day(dataset.cycle_ends)}",
        source_name=source.name,
        source_url=source.url if is_web_address(source.url) else None,
        published=bool(base_url),
        dataset_id=dataset.id,
        refresh=plural(dataset.refresh_hours, "hour"),
        follow_up=span(dataset.follow_up_days),
        charts=(timeline.chart(dataset, shown, left_out=left_out),
                timeline.chart(dataset, shown, narrow=True, left_out=left_out)),
        chart_note=_chart_note(len(shown), left_out),
        has_watched=bool(watched),
        watched=_listed(watched, styles),
        charted=_listed(charted, styles),
        groups=tuple(_groups(dataset, events, feeds, base_url, selected, styles)),
        employers=tuple(EmployerFeed(
            name=(name := short_title(dataset, spec)), key=" ".join(name.casefold().split()),
            count=plural(count, "event"), subscribe=subscribe(spec.path, spec.title, base_url))
            for spec, count in feeds if _group_of(spec.path) == _EMPLOYERS),
    )


def _chart_note(shown: int, left_out: Mapping[str, int]) -> str:
    """What the timeline leaves out ("" when it charts every program with dates)."""
    if not left_out:
        return ""
    return (f"At this size the timeline charts {shown:,} of the {shown + sum(left_out.values()):,} "
            "programs with dates: the first ones of each track, in the order of the data. "
            "Every program's dates are listed under \u201cAll dates as text\u201d below, and "
            "every program is in the calendars.")


def split_programs(dataset: Dataset) -> tuple[list[Program], list[Program]]:
    """Programs with a date to chart and those without (the watch list), track by track."""
    charted: list[Program] = []
    watched: list[Program] = []
    by_track: dict[str, list[Program]] = {t.key: [] for t in dataset.tracks}
    for program in dataset.programs:
        by_track.setdefault(program.track, []).append(program)
    for track in dataset.tracks:
        for program in by_track[track.key]:
            if any(timeline.dated(w) for w in program.windows):
                charted.append(program)
            else:
                watched.append(program)
    return charted, watched


def _listed(programs: Sequence[Program],
            styles: Mapping[str, timeline.TrackStyle]) -> Iterator[Listed]:
    for program in programs:
        style = styles[program.track]
        yield Listed(
            name=program.title,
            link=program.link if is_web_address(program.link) else None,
            track=style.title,
            colour=style.colour,
            notes=program.notes,
            sentences=tuple(sentence for window in program.windows
                            for sentence in timeline.window_sentences(window)),
        )


def _groups(dataset: Dataset, events: Sequence[Event], feeds: Sequence[tuple[FeedSpec, int]],
            base_url: str | None, selected: Mapping[str, Sequence[Event]],
            styles: Mapping[str, timeline.TrackStyle]) -> Iterator[Group]:
    members: dict[str, list[tuple[FeedSpec, int]]] = {}
    same = _SameProgram()
    for spec, count in feeds:
        members.setdefault(_group_of(spec.path), []).append((spec, count))
    for heading, intro in _GROUPS:
        if heading not in members:
            continue
        featured = heading == "Everything"
        cards = []
        for spec, count in members[heading]:
            chosen = selected.get(spec.path)
            if chosen is None:
                chosen = select(events, spec.filter)
            cards.append(_card(dataset, spec, count, chosen, base_url, styles,
                               3 if featured else 4, same))
        yield Group(heading=heading, slug=heading.lower().replace(" ", "-"), intro=intro,
                    featured=featured, cards=tuple(cards))


class _SameProgram:
    """One key for programs equal by value (two included files may hold the same program).

    A frozen dataclass hashes every field each time it is hashed: each program is hashed
    once here, not once for every feed that holds it.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, int] = {}
        self._by_value: dict[Program, int] = {}

    def key(self, program: Program) -> int:
        found = self._by_id.get(id(program))
        if found is None:
            found = self._by_id[id(program)] = self._by_value.setdefault(program, id(program))
        return found


def _card(dataset: Dataset, spec: FeedSpec, count: int, chosen: Sequence[Event],
          base_url: str | None, styles: Mapping[str, timeline.TrackStyle],
          level: int, same: _SameProgram) -> Card:
    """One feed's card; `chosen` are its events."""
    # Distinct by identity first (a list's `in` made this quadratic in the events), then
    # by value, keeping the first of programs equal by value.
    distinct = {id(event.program): event.program for event in chosen}
    unique: dict[int, Program] = {}
    for program in distinct.values():
        unique.setdefault(same.key(program), program)
    programs = list(unique.values())
    accent = ""
    if spec.path.startswith("tracks/"):
        style = styles.get(spec.path.removeprefix("tracks/").removesuffix(".ics"))
        accent = style.colour if style else ""
    name = short_title(dataset, spec)
    # A long list helps nobody on a card (and at tens of thousands of programs it was
    # most of the page): name the first ones and point to the full table.
    return Card(
        anchor="feed-" + spec.path.removesuffix(".ics").replace("/", "-"),
        level=level, name=name, count=plural(count, "event"),
        programs=plural(len(programs), "program"), program_count=len(programs),
        description=spec.description, accent=accent,
        subscribe=subscribe(spec.path, spec.title, base_url),
        names=tuple(p.title for p in programs[:CARD_PROGRAMS]),
        more=max(len(programs) - CARD_PROGRAMS, 0),
    )


def picker_view(dataset: Dataset, picker: Picker, base_url: str | None) -> PickerView:
    """The form's options, the personal feeds, and every choice in tables (for readers
    without JavaScript)."""
    from deadlinecal.page.picker import ANY

    feeds = {each.spec.path: each for each in picker.feeds}
    picks = {}
    for _, path in picker.choices:
        each = feeds[path]
        name = short_title(dataset, each.spec)
        picks[path] = Pick(
            anchor="p-" + path.rsplit("/", 1)[-1].removesuffix(".ics").replace(".", "-"),
            name=name, count=plural(len(each.events), "event"),
            programs=plural(each.programs, "program"),
            subscribe=subscribe(path, each.spec.title, base_url), empty=not each.events)
    titles = {t.key: t.title for t in dataset.tracks}
    # Choices come citizenship fastest, then stage of study, then track: a row's cells
    # are in the order of the columns.
    rows: dict[str, dict[tuple[str, ...], list[Cell]]] = {}
    for choice, path in picker.choices:
        pick = picks[path]
        rows.setdefault(choice.eligibility, {}).setdefault(choice.tracks, []).append(
            Cell(key=choice.key, anchor=pick.anchor,
                 text=pick.count if feeds[path].events else "none yet"))
    statuses = ("Any", *(c.title for c in dataset.citizenship))
    groups = {"": "Any stage of study", **{g.key: g.title for g in dataset.eligibility}}
    return PickerView(
        tracks=(Option(ANY, "Any"), *(Option(t.key, t.title) for t in dataset.tracks)),
        eligibility=(Option(ANY, "Any"), *(Option(g.key, g.title) for g in dataset.eligibility)),
        citizenship=(Option(ANY, "Any"), *(Option(c.key, c.title) for c in dataset.citizenship)),
        picks=tuple(picks.values()),
        tables=tuple(ChoiceTable(
            caption=groups[group],
            columns=statuses,
            rows=tuple((" + ".join(titles[k] for k in tracks) or "Any track", tuple(cells))
                       for tracks, cells in by_tracks.items()))
            for group, by_tracks in rows.items()),
    )


def subscribe(path: str, title: str, base_url: str | None) -> Subscribe:
    """The links to one feed at `path` (relative to the page), named `title`."""
    relative = quote(path, safe="/")
    if base_url:
        https = feed_url(base_url, path)
        return Subscribe(relative=relative, apple=webcal_url(https),
                         outlook=outlook_url(https, title), address=https, title=title)
    return Subscribe(relative=relative, apple=relative, outlook=OUTLOOK_ADD_FROM_WEB,
                     address=relative, title=title)


def short_title(dataset: Dataset, spec: FeedSpec) -> str:
    """A feed's name on its card, without the dataset's title in front."""
    if spec.path == "all.ics":
        return "Everything, in one calendar"
    # A feed of several datasets is named for those it holds, not always for all of them.
    short = spec.term or spec.title.removeprefix(f"{dataset.title}: ")
    return short[:1].upper() + short[1:]


_EMPLOYERS = "By employer"


def _group_of(path: str) -> str:
    if path.startswith("employers/"):
        return _EMPLOYERS
    if path == "all.ics":
        return "Everything"
    if path.startswith("tracks/"):
        return "By track"
    if path.startswith("eligibility/"):
        return "By who can apply"
    return "Hand-picked"


def _short_day(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
