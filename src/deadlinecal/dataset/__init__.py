"""A data file's bytes -> checked, frozen records (the records are model.py's).

load (YAML nodes with their positions), spec and schema (the format, declared once),
validate/ (one checker per section of the file), dates and zonenames (the fuzzy-date and
time-zone vocabularies), names (how a name a user types matches the data's), confirm
(curated estimates confirmed by imported postings) and files (reading data files for the
command line, includes kept in their folder).

May import: errors, model, text. Never events, the calendar format, the page, the output
or the command line: everything else stands on this floor.
"""
