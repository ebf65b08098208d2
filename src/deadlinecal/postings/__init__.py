"""Following public posting lists (SimplifyJobs format) into data files.

fetch (download over HTTPS), listing (parse and check a list, skipping what cannot be used),
importer (checked postings -> a data file's text), datafile (that text and the import's
records), feedbudget (feeds kept under their budget), trackwords (uncategorised postings
sorted by their titles), confirmfile (a curated file's openings confirmed in its text) and
run (the import command's work: read, import, check, write).

May import: output, site, page, pipeline, history, ical, events, dataset, errors, model,
text. Never the command line.
"""
