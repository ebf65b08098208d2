"""The calendar format: events -> RFC 5545 bytes, and checking such bytes.

render (the only module importing icalendar), fastical (the hand-written serializer the hot
path uses, byte-identical to icalendar, which the tests keep as the oracle), zones (the
VTIMEZONE written for each zone) and lint (findings on any .ics file).

May import: events, dataset, errors, model, text. Never history, the pipeline or above.
"""
