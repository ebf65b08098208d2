"""A month of a feed as a phone's month view shows it: at most four titles a day, each cut
to 14 characters, then "+N more". Writes an HTML page to screenshot.

    .venv/bin/python benchmarks/month_view.py FEED.ics 2024-09 OUT.html "caption"
    chromium --headless --screenshot=OUT.png --window-size=1100,900 OUT.html
"""

from __future__ import annotations

import calendar
import collections
import datetime as dt
import html
import sys

from feed_metrics import events_of

SHOWN = 4
WIDTH = 14


def page(feed: str, month: str, caption: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    by_day: dict[dt.date, list[str]] = collections.defaultdict(list)
    for event in events_of(feed):
        start = event.get("DTSTART", "")[:8]
        if len(start) == 8:
            day = dt.date(int(start[:4]), int(start[4:6]), int(start[6:]))
            by_day[day].append(event.get("SUMMARY", "").replace("\\,", ",").replace("\\;", ";"))
    rows = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, number):
        cells = []
        for day in week:
            titles = by_day.get(day, [])
            shown = "".join(f"<div class=e>{html.escape(t[:WIDTH])}</div>"
                            for t in titles[:SHOWN])
            more = (f"<div class=m>+{len(titles) - SHOWN} more</div>"
                    if len(titles) > SHOWN else "")
            other = " o" if day.month != number else ""
            cells.append(f"<td class='d{other}'><b>{day.day}</b>{shown}{more}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{name}</th>" for name in calendar.day_abbr)
    return f"""<!doctype html><meta charset=utf-8><style>
body{{font:13px system-ui,sans-serif;margin:12px}} table{{border-collapse:collapse;width:100%;
table-layout:fixed}} td,th{{border:1px solid #ccc;vertical-align:top;padding:3px}}
td{{height:112px}} .o{{color:#aaa}} .e{{background:#dbe8ff;margin:2px 0;padding:1px 3px;
border-radius:3px;white-space:nowrap;overflow:hidden}} .m{{color:#555}}
h1{{font-size:16px}}</style><h1>{html.escape(caption)}</h1>
<table><tr>{head}</tr>{''.join(rows)}</table>"""


if __name__ == "__main__":
    feed, month, out, caption = sys.argv[1:5]
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(page(feed, month, caption))
