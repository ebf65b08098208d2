"""What subscribers already have: the previous build's feeds read back, and what changed.

May import: ical, events, dataset, errors, model, text (its modules import icalendar's
parser: the ledger and the ended feeds, which every build imports, stay outside it).

render.py writes iCalendar; this module is the other side, the only one that reads it: the
content lines of each event for comparing revisions, icalendar's parser for the values a
diff shows. It takes bytes, never paths: the CLI reads the output folder and passes its
files in. It never reads the clock: a new revision's time derives from the data.

Each event's *content* is every property except DTSTAMP, SEQUENCE and LAST-MODIFIED (the
revision bookkeeping itself). When the content of a UID differs from the previous build's,
the event is a new revision: SEQUENCE goes up by one and DTSTAMP/LAST-MODIFIED move to the
revision time. Otherwise all three are carried over, so its bytes stay identical.

Previous feeds may be anything (edited by hand, cut short, hostile), so reading them never
fails: what cannot be read is a warning located at its feed and line, and that piece of
history is ignored, as if the property were absent (RFC 5545's defaults):

- SEQUENCE must be an INTEGER from 0 to 2147483647 (MAX_SEQUENCE). Otherwise it counts
  as absent, i.e. 0; another feed holding the same UID with a readable SEQUENCE still
  wins, since the highest readable revision of a UID is the one carried on (`latest`).
  A readable SEQUENCE never goes down; at MAX_SEQUENCE a change keeps it (and warns).
- DTSTAMP and LAST-MODIFIED must be UTC date-times no later than `not_after` (the
  caller's bound: a year after the data's newest `updated` day), else they are absent and
  the data's time is used, so a feed stamped 9999-12-31 heals on the next build.
- The same UID twice in one feed: the higher SEQUENCE is kept. A VEVENT never closed is
  read up to the next event or the end of the calendar, so its SEQUENCE still counts.
- An event whose dates cannot be read shows "?" in a diff (with a warning).
"""

from deadlinecal.history.changes import (
    Change,
    FeedChanges,
    compare,
    format_changes,
    unreadable_details,
    when_text,
)
from deadlinecal.history.feeds import (
    BOOKKEEPING,
    MAX_SEQUENCE,
    Seen,
    cancelled_copy,
    content_of,
    horizon,
    latest,
    located,
    read_feed,
    read_feeds,
    revise,
)

__all__ = ["BOOKKEEPING", "MAX_SEQUENCE", "Change", "FeedChanges", "Seen", "cancelled_copy",
           "compare", "content_of", "format_changes", "horizon", "latest", "located", "read_feed",
           "read_feeds", "revise", "unreadable_details", "when_text"]
