"""A small static file server for trying the feeds from a phone on the same network.

Serves one folder read-only: the right content types for feeds and the page, ETag and
Last-Modified with 304 answers, nothing outside the folder (no `..`, no symlinks out), and
never a compressed body (Outlook fails on gzip-encoded feeds).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.server
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

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


class FeedHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD for the files of one folder; every other method is refused."""

    protocol_version = "HTTP/1.1"
    root: Path = Path()
    log: Callable[[str], None] | None = None

    def version_string(self) -> str:
        return "deadlinecal"

    def do_GET(self) -> None:
        self.respond(send_body=True)

    def do_HEAD(self) -> None:
        self.respond(send_body=False)

    def respond(self, *, send_body: bool) -> None:
        path = resolve(self.root, self.path)
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

    def send_validators(self, etag: str, modified: int) -> None:
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        # Calendar clients should revalidate rather than trust a stale copy.
        self.send_header("Cache-Control", "no-cache")

    def log_message(self, format: str, *args: Any) -> None:
        if self.log is not None:
            self.log(f"{self.address_string()} {format % args}")


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000,
                log: Callable[[str], None] | None = None) -> http.server.ThreadingHTTPServer:
    """A server for `root`, bound and ready for `serve_forever()`. Raises OSError."""
    handler = type("BoundFeedHandler", (FeedHandler,), {
        "root": root.resolve(), "log": staticmethod(log) if log else None,
    })
    server_class = _Server6 if ":" in host else _Server
    return server_class((host, port), handler)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


def serve_in_thread(root: Path, host: str = "127.0.0.1", port: int = 0
                    ) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    """Start a server in a daemon thread (for tests and embedding); stop it with shutdown()."""
    server = make_server(root, host, port)
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

