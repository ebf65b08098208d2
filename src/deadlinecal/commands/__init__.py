"""The click commands beside `build` (which lives in cli.py with the group).

data (validate, list, feed, diff), folder (serve, lint), importing (import simplify),
common (shared options and filters, the data reader, our errors turned into messages in
one place), serve (the static file server) and table (the text table of `list`).

May import every floor below the command line; only cli.py imports this package.
"""
