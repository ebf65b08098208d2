"""A small static file server for trying the feeds from a phone on the same network.

Serves one folder read-only: the right content types for feeds and the page, ETag and
Last-Modified with 304 answers, nothing outside the folder (no `..`, no symlinks out), and
never a compressed body (Outlook fails on gzip-encoded feeds). `feed.ics` with a query
string (`?track=research&eligibility=phd&citizenship=other`) answers the subscribe page's
picker: the personal feed `build` wrote for that choice (400 for an unknown term).

It stays up under a crowd: a thread per connection behind a deep listen queue, so a
thousand clients at once are all answered; every socket times out, so idle or stalled
clients are dropped instead of holding a thread forever; HTTP/0.9 and malformed requests
get an error and a close; a client that leaves mid-answer is not an error worth a
traceback; and every logged value has its control characters escaped, because the request
line is whatever the client sent and the log is a terminal.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import http.server
import json
import socket
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

CONTENT_TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
DEFAULT_TYPE = "application/octet-stream"
# `<folder>/feed.ics?track=...` answers a choice of the subscribe page's picker (picker.py).
PICKED_REQUEST = "feed.ics"
# Seconds a connection may sit without sending or taking a byte before it is closed.
IDLE_TIMEOUT = 10.0
# Connections the kernel may hold for us while every thread is busy accepting (capped by
# net.core.somaxconn); the default of 5 left most of a crowd of clients unanswered.
LISTEN_BACKLOG = 1024


def resolve(root: Path, request_path: str) -> Path | None:
    """The file inside `root` that a request path names, or None.

    None for anything that is not a regular file strictly inside `root` once every
    symlink is followed: `..` segments (plain or percent-encoded), absolute paths after
    decoding, backslashes, NUL bytes, symlinks that lead out, and hidden (dot) names.
    """
    raw = urlsplit(request_path).path
    decoded = unquote(raw)
    if "\x00" in decoded or "\\" in decoded:
        return None
    segments = [s for s in decoded.split("/") if s not in ("", ".")]
    # `..` would climb out; other dot names are hidden files (a build's staged temporaries,
    # a .git folder when someone serves a checkout) that were never meant to be published.
    if any(s.startswith(".") for s in segments):
        return None
    if decoded.endswith("/") or not segments:
        segments.append("index.html")
    base = root.resolve()
    candidate = base.joinpath(*segments)
    try:
        real = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if real.is_dir():
        real = (real / "index.html").resolve()
    if not real.is_relative_to(base) or not real.is_file():
        return None
    return real


def picked_file(root: Path, request_path: str,
                query: str) -> tuple[Path | None, int, str]:
    """The personal feed that `.../feed.ics?track=...&eligibility=...&citizenship=...` names.

    The choice is looked up in the `picked/choices.json` that `build` wrote beside the feed
    folder the request names, and its file is resolved like any other (inside `root`
    only). Returns (path or None, status, message): the message, when there is one, is
    the answer: 400 for no query, or one naming an unknown parameter or term (with the
    closest declared one), 404 for a choice no program fits, 500 for a choices.json that is
    not what a build writes. None with no message: that folder has no personal feeds.
    """
    from deadlinecal.page.picker import CHOICES_PATH, QueryError, parse_query

    folder = unquote(request_path)[: -len(PICKED_REQUEST)]
    mapping = resolve(root, quote(folder + CHOICES_PATH))
    if mapping is None:
        return None, 404, ""
    try:
        document = json.loads(mapping.read_bytes())
    except (OSError, ValueError, RecursionError):
        document = None
    terms, choices = _choices(document)
    if terms is None or choices is None:
        return None, 500, (f"{CHOICES_PATH} here is not what `deadlinecal build` writes; "
                           "run `deadlinecal build` again to rewrite it")
    if not query:
        return None, 400, expected_query(terms)
    try:
        key = parse_query(query, terms)
    except QueryError as exc:
        return None, 400, str(exc)
    target = choices.get(key)
    if target is None:
        return None, 404, "no program fits this choice yet"
    return resolve(root, quote(folder + target)), 200, ""


def _choices(document: object) -> tuple[dict[str, list[str]] | None,
                                         dict[str, str | None] | None]:
    """The terms and choices of a choices.json document, or None for each when it is not
    shaped as a build writes it (the file is anyone's to edit)."""
    if not isinstance(document, dict):
        return None, None
    terms, choices = document.get("terms"), document.get("choices")
    if not (isinstance(terms, dict) and all(
            isinstance(values, list) and all(isinstance(value, str) for value in values)
            for values in terms.values())):
        terms = None
    if not (isinstance(choices, dict) and all(
            value is None or isinstance(value, str) for value in choices.values())):
        choices = None
    return terms, choices


def expected_query(terms: dict[str, list[str]]) -> str:
    """What a bare `feed.ics` answers: the query it expects, with the declared terms."""
    from deadlinecal.page.picker import ANY, PARAMETERS

    def shown(values: list[str]) -> str:
        return ", ".join(values[:12]) + (f" and {len(values) - 12} more"
                                         if len(values) > 12 else "")

    example = "&".join(f"{name}={terms[name][0]}" for name in PARAMETERS if terms.get(name))
    listed = "; ".join(f"{name}: {shown(terms.get(name, []))} or {ANY}"
                       for name in PARAMETERS)
    return (f"feed.ics answers a choice of the subscribe page's picker: add a query such as "
            f"feed.ics?{example} ({listed}; several tracks as track=a,b; a parameter left "
            "out means any). The page, index.html, makes the address for you.")


def content_type(path: Path) -> str:
    """The Content-Type header for a file, by its suffix."""
    return CONTENT_TYPES.get(path.suffix.lower(), DEFAULT_TYPE)


def entity_tag(content: bytes) -> str:
    """A strong ETag from the bytes themselves, so an unchanged rebuild keeps it."""
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def not_modified(headers: Any, etag: str, modified: int) -> bool:
    """RFC 9110 conditional GET: If-None-Match wins; If-Modified-Since only without it."""
    match = headers.get("If-None-Match")
    if match is not None:
        tags = [tag.strip() for tag in match.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = headers.get("If-Modified-Since")
    if since is None:
        return False
    try:
        when = email.utils.parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError):
        return False
    if when is None:
        return False
    return modified <= int(when.timestamp())


def printable(text: str) -> str:
    """`text` with every control or invisible character (and the backslash) escaped."""
    return "".join(char if char.isprintable() and char != "\\"
                   else char.encode("unicode_escape").decode("ascii") for char in text)


class FeedHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD for the files of one folder; every other method is refused."""

    protocol_version = "HTTP/1.1"
    # What an error answer assumes until the request line is read: not HTTP/0.9, whose
    # answers have no status line, so that every refusal is a readable HTTP answer.
    default_request_version = "HTTP/1.0"
    root: Path = Path()
    log: Callable[[str], None] | None = None
    timeout = IDLE_TIMEOUT  # StreamRequestHandler sets it on the socket, reads and writes
    started = False  # whether the answer to the current request has begun
    raw_requestline: bytes  # set by handle_one_request before parse_request

    def parse_request(self) -> bool:
        words = self.raw_requestline.split()
        if len(words) == 2 or (len(words) == 3 and words[2].startswith(b"HTTP/0.")):
            # HTTP/0.9 has no headers, yet the base class would wait for them: refuse it
            # with headers (as HTTP/1.0 would) and close instead of hanging.
            self.command = ""
            self.requestline = self.raw_requestline.decode("iso-8859-1").rstrip("\r\n")
            self.request_version = self.default_request_version
            self.close_connection = True
            self.send_error(505, "HTTP/0.9 is not supported")
            return False
        return super().parse_request()

    def version_string(self) -> str:
        return "deadlinecal"

    def do_GET(self) -> None:
        self.answer(send_body=True)

    def do_HEAD(self) -> None:
        self.answer(send_body=False)

    def answer(self, *, send_body: bool) -> None:
        """`respond`, and a 500 in plain text for whatever it did not foresee (logged), so
        that no request is left without an answer."""
        self.started = False
        try:
            self.respond(send_body=send_body)
        except (ConnectionError, TimeoutError):
            raise
        except Exception as error:
            self.log_message("error: %s: %s", type(error).__name__, error)
            if self.started:
                raise  # part of an answer went out: only closing is left
            self.close_connection = True
            self.send_text(500, "the server could not answer this request; its log says why",
                           send_body=send_body)

    def send_response(self, code: int, message: str | None = None) -> None:
        self.started = True
        super().send_response(code, message)

    def respond(self, *, send_body: bool) -> None:
        parts = urlsplit(self.path)
        path = resolve(self.root, self.path)
        # `feed.ics` with a query, or without one where no such file is, asks the picker.
        if unquote(parts.path).endswith("/" + PICKED_REQUEST) and (parts.query or not path):
            chosen, status, problem = picked_file(self.root, parts.path, parts.query)
            if problem:
                self.send_text(status, problem, send_body=send_body)
                return
            if status == 200:
                path = chosen
        if path is None:
            self.send_error(404, "Not found")
            return
        try:
            content = path.read_bytes()
            modified = int(path.stat().st_mtime)
        except OSError:
            self.send_error(404, "Not found")
            return
        etag = entity_tag(content)
        if not_modified(self.headers, etag, modified):
            self.send_response(304)
            self.send_validators(etag, modified)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(len(content)))
        self.send_validators(etag, modified)
        self.end_headers()
        if send_body:
            self.wfile.write(content)

    def send_text(self, status: int, text: str, *, send_body: bool) -> None:
        """A short plain-text answer (the reason phrase stays the standard one: the text
        may hold what the client sent, which has no place in a status line)."""
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_validators(self, etag: str, modified: int) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        # Calendar clients should revalidate rather than trust a stale copy.
        self.send_header("Cache-Control", "no-cache")

    def log_message(self, format: str, *args: Any) -> None:
        if self.log is not None:
            self.log(printable(f"{self.address_string()} {format % args}"))

    def log_error(self, format: str, *args: Any) -> None:
        # An idle keep-alive connection reaching its timeout is routine, not news.
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000,
                log: Callable[[str], None] | None = None,
                timeout: float = IDLE_TIMEOUT) -> http.server.ThreadingHTTPServer:
    """A server for `root`, bound and ready for `serve_forever()`. Raises OSError.

    `timeout`: seconds a connection may stay silent (or not read our answer) before it is
    closed.
    """
    handler = type("BoundFeedHandler", (FeedHandler,), {
        "root": root.resolve(), "log": staticmethod(log) if log else None,
        "timeout": timeout,
    })
    server_class = _Server6 if ":" in host else _Server
    server = server_class((host, port), handler)
    server.log = log
    return server


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # Stopping must not wait for idle keep-alive connections to time out.
    block_on_close = False
    request_queue_size = LISTEN_BACKLOG
    log: Callable[[str], None] | None = None

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One escaped line for a real failure; nothing when the client went away."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        if self.log is not None:
            self.log(printable(f"{client_address[0]} error: {type(error).__name__}: {error}"))


class _Server6(_Server):
    address_family = socket.AF_INET6


def serve_in_thread(root: Path, host: str = "127.0.0.1", port: int = 0,
                    log: Callable[[str], None] | None = None,
                    timeout: float = IDLE_TIMEOUT,
                    ) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    """Start a server in a daemon thread (for tests and embedding); stop it with shutdown()."""
    server = make_server(root, host, port, log, timeout)
    # A short poll keeps shutdown() quick; the cost is a wake-up every 50 ms while idle.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    return server, thread


def url_of(server: http.server.HTTPServer) -> str:
    """The http:// address a server listens on."""
    host, port = server.server_address[:2]
    shown = host if isinstance(host, str) else host.decode()
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"



def raise_open_file_limit(wanted: int = 4096) -> None:
    """Let this process hold `wanted` sockets and files, as far as the hard limit allows.

    A common soft limit of 1024 is less than a crowd of connections plus the files they
    read, and past it accepting fails and reading a feed would answer 404.
    """
    try:
        import resource
    except ImportError:  # not on Windows; its limit is far higher anyway
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
