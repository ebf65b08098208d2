"""The data format, declared once. The validator walks it; the JSON Schema is generated from it."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

# An http(s) address: what a `url` field (and an imported posting's link) must be.
WEB_ADDRESS = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
# Ids and keys are copied into every UID (and named feeds into file names): keep them short.
MAX_ID_CHARS = 64
# Reminders are copied into every event of every feed; a handful is all a person wants.
MAX_REMINDERS = 5


@dataclass(frozen=True, slots=True)
class Field:
    """One key of a mapping in the data file.

    `kind` is one of: text, slug, int, bool, day, fuzzy, moment (a fuzzy date that may carry
    a time), verified (a day, or a month), duration, url, key (one term of `vocab`), keys
    (a list of them), eligibility (a list of keys, or a mapping of `shape` holding such
    lists), object, list
    (of `shape` objects), vocabulary (a mapping of slug -> term), feeds (slug -> feed),
    reminders (a possibly empty list of ISO 8601 durations).
    """

    name: str
    kind: str
    doc: str
    required: bool = False
    shape: Shape | None = None
    vocab: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    # For keys: an empty list is allowed (it says "the source does not state this").
    empty_ok: bool = False


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    doc: str
    fields: tuple[Field, ...]
    # The fields by name: the validator looks one up for every key of every mapping.
    by_name: dict[str, Field] = dataclasses.field(init=False, repr=False, compare=False)
    # The required keys: a mapping holding them all (nearly every one) is not searched
    # for the missing one, field by field.
    required: frozenset[str] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {each.name: each for each in self.fields})
        object.__setattr__(self, "required",
                           frozenset(each.name for each in self.fields if each.required))

    def field(self, name: str) -> Field | None:
        return self.by_name.get(name)


SOURCE = Shape("source", "Where facts come from.", (
    Field("name", "text", "Name of the source (an article, a program page).", required=True),
    Field("url", "url", "Link to the source (http or https)."),
))

CYCLE = Shape("cycle", "The season this dataset covers.", (
    Field("starts", "day", "First day of the cycle (YYYY-MM-DD); undated programs are "
          "listed on it.", required=True),
    Field("ends", "day", "Last day of the cycle (YYYY-MM-DD).", required=True),
))

IMPORTED = Shape("imported", "What `import simplify` left out of the feeds, for `build` "
                 "to report (written by the import; not for editing).", (
    Field("keep_closed_days", "int", "Closed postings were kept this many days.", minimum=0),
    Field("budget_bytes", "int", "The largest feed the import allowed, in bytes.", minimum=0),
    Field("closed", "int", "Postings left out as closed longer ago.", minimum=0),
    Field("over_budget", "int", "Postings left out to keep the feeds within the budget.",
          minimum=0),
    Field("hidden", "int", "Postings the list hides.", minimum=0),
    Field("no_close_day", "int", "Closed postings whose closing day is unknown.", minimum=0),
    Field("other_terms", "int", "Postings of other terms or categories.", minimum=0),
))
DATASET = Shape("dataset", "What this file is about.", (
    Field("id", "slug", "Stable identifier; part of every event UID, never change it.",
          required=True),
    Field("title", "text", "Title shown as the calendar name.", required=True),
    Field("description", "text", "A paragraph on what the dataset covers."),
    Field("cycle", "object", "The season the dataset covers.", required=True, shape=CYCLE),
    Field("source", "object", "Where the facts come from.", required=True, shape=SOURCE),
    Field("updated", "day", "Day the data was last edited (YYYY-MM-DD); used as DTSTAMP.",
          required=True),
    Field("timezone", "text", "Default IANA time zone for deadlines given with a time."),
    Field("follow_up_days", "int", "Days after an opening to place the apply-soon follow-up "
          "(default 14).", minimum=1, maximum=365),
    Field("refresh_hours", "int", "How often subscribers should refresh (default 12).",
          minimum=1, maximum=720),
    Field("base_url", "url", "Public address where the calendars/ folder is published "
          "(http or https); the subscribe page builds its links from it."),
    Field("reminders", "reminders", "Reminders (VALARMs) on deadline, closing and "
          f"follow-up events: at most {MAX_REMINDERS} ISO 8601 durations before the event, "
          "e.g. [P1D, PT2H]; [] for none (default [P1D]). All-day events count back from "
          "09:00 on their day."),
    Field("imported", "object", "Written by `import simplify`: what it left out of the "
          "feeds, which `build` reports.", shape=IMPORTED),
))

TERM = Shape("term", "One term of a vocabulary.", (
    Field("title", "text", "Human name.", required=True),
    Field("description", "text", "What it means."),
))

FILTER = Shape("filter", "Which programs a feed keeps: OR within a key, AND across keys.", (
    Field("track", "keys", "Keep programs of these tracks.", vocab="tracks"),
    Field("eligibility", "keys", "Keep programs open to any of these groups, or whose rule "
          "for them the source does not state.", vocab="eligibility"),
    Field("employer", "texts", "Keep programs of these employers (exact names)."),
    Field("citizenship", "keys", "Keep programs open to any of these statuses (programs "
          "without a citizenship rule are open to all).", vocab="citizenship"),
    Field("confirmed_only", "bool", "Keep only events whose date is confirmed."),
    Field("from", "day", "Keep only events shown on or after this day (YYYY-MM-DD); an "
          "estimate counts by the day it is shown on."),
    Field("until", "day", "Keep only events shown on or before this day (YYYY-MM-DD)."),
))

FEED = Shape("feed", "A named feed written to calendars/feeds/<key>.ics.", (
    Field("title", "text", "Calendar name.", required=True),
    Field("description", "text", "What the feed holds."),
    Field("filter", "object", "Which programs it keeps.", required=True, shape=FILTER),
))

WINDOW = Shape("window", "One application window.", (
    Field("key", "slug", "Stable key, unique in the program; part of the UIDs. Defaults to "
          "'main' when the program has one window."),
    Field("opens", "fuzzy", "When applications open (a fuzzy date)."),
    Field("closes", "moment", "When applications close (a fuzzy date, or a day with time "
          "and zone)."),
    Field("deadline", "moment", "The application deadline (a fuzzy date, or a day with "
          "time and zone)."),
    Field("duration", "duration", "How long the window stays open once it opens, e.g. "
          "'2-4 weeks'."),
    Field("rolling", "bool", "Applications are reviewed as they arrive."),
    Field("year_round", "bool", "Applications are accepted all year."),
    Field("note", "text", "Anything else about this window."),
    Field("cancelled", "bool", "This window will not happen: its events stay in the feeds "
          "as cancelled (STATUS:CANCELLED) until the cycle ends."),
    Field("recurs_yearly", "bool", "The window comes back every year: a tentative window a "
          "year later is projected. The key must end in a year (summer-2027 projects "
          "summer-2028); enter the real dates under that key to replace the projection."),
))

POSTINGS = Shape("postings", "How to recognise this program in an imported posting list.", (
    Field("employer", "text", "The list's company_name; several separated by ' | ' "
          "(case is ignored).", required=True),
    Field("title", "text", "Words the posting's title contains, e.g. 'Software Engineer'; "
          "several separated by ' | ' (whole words, case ignored). Leave out to match any "
          "title."),
))

ELIGIBILITY = Shape("eligibility", "What the source says about the eligibility groups; a "
                    "group in neither list is not stated.", (
    Field("open_to", "keys", "Groups the source names as able to apply.", vocab="eligibility",
          empty_ok=True),
    Field("closed_to", "keys", "Groups the source rules out.", vocab="eligibility",
          empty_ok=True),
))

PROGRAM = Shape("program", "One program (an internship, a scholarship, a call).", (
    Field("id", "slug", "Stable identifier, unique in the file; never change it.",
          required=True),
    Field("employer", "text", "Who runs it.", required=True),
    Field("program", "text", "Name of the program.", required=True),
    Field("track", "key", "One of the declared tracks.", required=True, vocab="tracks"),
    Field("short", "text", "A short name for calendar titles (at most 20 characters), "
          "e.g. 'Google STEP'; derived from employer and program when left out."),
    Field("eligibility", "eligibility", "What the source says about each eligibility group: "
          "a mapping {open_to: [...], closed_to: [...]} of the groups it names as able to "
          "apply and those it rules out; every other declared group is not stated, and the "
          "program joins that group's feed marked so. A plain list [a, b] (the older form) "
          "means open to these groups and closed to every other. [] or leaving it out states "
          "nothing: every group is not stated and `validate` warns.", vocab="eligibility",
          shape=ELIGIBILITY, empty_ok=True),
    Field("citizenship", "keys", "Citizenship or residency statuses that may apply; [] when "
          "the source states no such rule (the program passes every citizenship filter). "
          "Leaving it out is the same as [] and `validate` warns about it.",
          vocab="citizenship", empty_ok=True),
    Field("pay", "text", "Pay, as precisely as known."),
    Field("screens_for", "text", "What the selection looks at."),
    Field("link", "url", "Where to apply or read more (http or https)."),
    Field("source", "object", "Where these facts come from (defaults to the dataset's).",
          shape=SOURCE),
    Field("last_verified", "verified", "Day the facts were last checked (YYYY-MM-DD), or "
          "the month (YYYY-MM) when the source gives no day; events say it as written.",
          required=True),
    Field("notes", "text", "Anything else a student should know (shown in the feeds)."),
    Field("editor_notes", "text", "Notes for the people who edit the data (where a fact "
          "comes from, what is unclear); never shown in the feeds."),
    Field("follow_up_days", "int", "Override the dataset's follow-up offset.", minimum=1,
          maximum=365),
    Field("reminders", "reminders", "Override the dataset's reminders for this program's "
          f"events, e.g. [PT2H] (at most {MAX_REMINDERS}); [] for none."),
    Field("windows", "list", "Application windows; leave out when no date is known.",
          shape=WINDOW),
    Field("cancelled", "bool", "The program will not run this cycle: its events stay in the "
          "feeds as cancelled (STATUS:CANCELLED) until the cycle ends."),
    Field("postings", "object", "How to recognise its postings: when an imported posting "
          "list (built together, or `import --confirm`) has a match, its estimated opening "
          "becomes the first matching posting's day.", shape=POSTINGS),
))

ROOT = Shape("deadlinecal data file", "A dataset of dated application windows.", (
    Field("format", "int", "Version of this format; must be 1.", required=True, minimum=1),
    Field("dataset", "object", "What this file is about.", required=True, shape=DATASET),
    Field("tracks", "vocabulary", "The tracks programs belong to.", required=True),
    Field("eligibility", "vocabulary", "The groups of people programs are open to.",
          required=True),
    Field("citizenship", "vocabulary", "Citizenship or residency statuses programs may "
          "require."),
    Field("feeds", "feeds", "Extra named feeds."),
    Field("include", "texts", "Other data files (paths relative to this one) built together "
          "with it; each keeps its own dataset id, which namespaces its UIDs."),
    Field("programs", "list", "The programs.", required=True, shape=PROGRAM),
))

FORMAT_VERSION = 1
