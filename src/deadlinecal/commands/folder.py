"""The commands about a folder of built feeds: serve it, lint its files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deadlinecal.commands.common import DEFAULT_OUTPUT, run
from deadlinecal.errors import escape
from deadlinecal.text import plural


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False),
                default=DEFAULT_OUTPUT, required=False)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 lets phones on the same network in.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@run
def serve(directory: Path, host: str, port: int) -> None:
    """Serve built feeds and their page over HTTP, to try a subscription from a phone.

    Serves DIRECTORY read-only, and the page's personal feeds at
    feed.ics?track=...&eligibility=...&citizenship=... (the picker's address; feed.ics
    alone answers which values there are).

    \b
    Example:
      deadlinecal build && deadlinecal serve --host 0.0.0.0 --port 8000
      curl 'http://127.0.0.1:8000/feed.ics?track=quant&eligibility=phd'
    """
    from deadlinecal.commands.serve import make_server, raise_open_file_limit, url_of
    from deadlinecal.errors import OutputError

    if not directory.is_dir():
        raise OutputError(f"{directory} is not a folder; run `deadlinecal build` first")
    raise_open_file_limit()
    try:
        server = make_server(directory, host, port,
                             log=lambda line: click.echo(line, err=True))
    except OSError as exc:
        raise OutputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    address = url_of(server)
    click.echo(f"Serving {escape(str(directory))}/ at {address} (Ctrl+C to stop).")
    if host in ("0.0.0.0", "::"):
        click.echo("  From a phone on the same network, use this computer's address instead "
                   "of 0.0.0.0.")
    click.echo(f"  Subscribe page: {address}index.html   All events: {address}all.ics")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@run
def lint(files: tuple[Path, ...]) -> None:
    """Check .ics files for what makes calendar clients drop or misread a feed.

    Prints each problem as FILE:LINE: message; exits 1 if there are any. Checks CRLF line
    ends, folding at 75 octets without splitting a UTF-8 character, TEXT escaping, a
    VTIMEZONE for every TZID, no Etc/ zones, DTEND after DTSTART and unique UIDs. Reads
    only regular files of at most 64 MiB.

    \b
    Example:
      deadlinecal lint calendars/all.ics calendars/tracks/*.ics
    """
    from deadlinecal.ical.lint import MAX_BYTES
    from deadlinecal.ical.lint import lint as lint_bytes

    problems = 0
    for file in files:
        data = _read_feed(file, MAX_BYTES)
        if isinstance(data, str):
            click.echo(escape(f"{file}: {data}"))
            problems += 1
            continue
        for finding in lint_bytes(data):
            # Messages quote the file; a hostile one must not drive the terminal.
            click.echo(escape(f"{file}:{finding.line}: {finding.message}"))
            problems += 1
    if problems:
        click.echo(f"{plural(problems, 'problem')} in {plural(len(files), 'file')}.", err=True)
        sys.exit(1)
    click.echo(f"{plural(len(files), 'file')} checked, no problems.", err=True)


def _read_feed(path: Path, limit: int) -> bytes | str:
    """The bytes of the file to lint, or why it is not read (one line)."""
    from deadlinecal.dataset.files import NotRegular, TooLarge, read_regular

    try:
        return read_regular(path, limit)
    except NotRegular as exc:
        return f"not read: it is {exc.kind or 'not a regular file'}; only regular files are read"
    except TooLarge as exc:
        return (f"not read: it is {exc.size:,} bytes, larger than the {limit:,} bytes read at "
                "most")
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
