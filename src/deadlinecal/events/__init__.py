"""Records -> dated events, and which events each feed keeps.

expand (the only date arithmetic: openings, follow-ups, closings, deadlines, watch
entries), select (feed filters as plain predicates, the standard feeds), combining
(several data files built as one), digest (a posting list's days as a few entries per feed)
and budget (how much a build may write, checked before anything is rendered).

May import: dataset, errors, model, text. Never the calendar format or anything above.
"""
