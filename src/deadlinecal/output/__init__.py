"""Putting a build's output in place, touching nothing that is not ours.

plan (the rebuild plan: which folder a build may use, what is ours, what to render), write
(staging and replacing only the files a build wrote, under a lock; the record), moving (all
or none of the staged files moved into place), ownership (which files of a folder are
ours), cache (skipping an unchanged rebuild) and inplace (editing a user's file in place).

May import: site, page, pipeline, history, ical, events, dataset, errors, model, text.
Never postings or the command line.
"""
