"""The subscribe page and the personal calendars it offers.

index (the page's view model, written by the autoescaped Jinja2 templates in templates/,
compiled once and kept by compiled),
picker (one personal feed per choice of track, stage and citizenship), published (the record
of every personal address ever published, and the ended ones) and timeline (the season at a
glance).

May import: pipeline, history, ical, events, dataset, errors, model, text. Never site,
output, postings or the command line.
"""
