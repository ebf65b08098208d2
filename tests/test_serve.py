"""`deadlinecal serve`, tested over a real socket: types, validators, 304s, no escape, no gzip."""

from __future__ import annotations

import email.utils
import http.client
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.commands.serve import resolve, serve_in_thread

FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"
PAGE = "<!doctype html><title>caf\u00e9</title>".encode()
MTIME = 1_780_000_000  # a fixed second, so Last-Modified is predictable


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "calendars"
    (root / "tracks").mkdir(parents=True)
    (root / "all.ics").write_bytes(FEED)
    (root / "tracks" / "research.ics").write_bytes(FEED)
    (root / "index.html").write_bytes(PAGE)
    (tmp_path / "secret.txt").write_text("outside")
    (root / "escape.ics").symlink_to(tmp_path / "secret.txt")
    (root / "inside-link.ics").symlink_to(root / "all.ics")
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (MTIME, MTIME))
    return root


@pytest.fixture
def server(site: Path) -> Iterator[tuple[str, int]]:
    running, thread = serve_in_thread(site, "127.0.0.1", 0)
    host, port = running.server_address[:2]
    yield str(host), int(port)
    running.shutdown()
    running.server_close()
    thread.join(timeout=5)


def _get(server: tuple[str, int], path: str, headers: dict[str, str] | None = None,
         method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(*server, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class TestContentTypes:
    def test_feeds_are_text_calendar_utf8(self, server: tuple[str, int]) -> None:
        status, headers, body = _get(server, "/all.ics")
        assert (status, headers["Content-Type"]) == (200, "text/calendar; charset=utf-8")
        assert body == FEED

    def test_the_page_is_html_utf8(self, server: tuple[str, int]) -> None:
        status, headers, body = _get(server, "/index.html")
        assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
        assert body == PAGE

    def test_the_folder_serves_its_index(self, server: tuple[str, int]) -> None:
        status, _, body = _get(server, "/")
        assert (status, body) == (200, PAGE)

    def test_feeds_in_subfolders_are_served(self, server: tuple[str, int]) -> None:
        assert _get(server, "/tracks/research.ics")[0] == 200

    def test_content_length_matches_the_body(self, server: tuple[str, int]) -> None:
        _, headers, body = _get(server, "/all.ics")
        assert int(headers["Content-Length"]) == len(body)

    def test_head_sends_headers_without_a_body(self, server: tuple[str, int]) -> None:
        status, headers, body = _get(server, "/all.ics", method="HEAD")
        assert (status, body) == (200, b"")
        assert int(headers["Content-Length"]) == len(FEED)

    def test_other_methods_are_refused(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics", method="POST")[0] == 501

    def test_a_missing_file_is_404(self, server: tuple[str, int]) -> None:
        assert _get(server, "/nope.ics")[0] == 404


class TestNoCompression:
    def test_ics_is_never_gzipped(self, server: tuple[str, int]) -> None:
        _, headers, body = _get(server, "/all.ics", {"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in headers
        assert body == FEED

    def test_html_is_not_compressed_either(self, server: tuple[str, int]) -> None:
        _, headers, _ = _get(server, "/index.html", {"Accept-Encoding": "gzip"})
        assert "Content-Encoding" not in headers


class TestValidators:
    def test_etag_and_last_modified_are_sent(self, server: tuple[str, int]) -> None:
        _, headers, _ = _get(server, "/all.ics")
        assert headers["ETag"].startswith('"') and headers["ETag"].endswith('"')
        assert headers["Last-Modified"] == email.utils.formatdate(MTIME, usegmt=True)

    def test_etag_is_stable_across_requests(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics")[1]["ETag"] == _get(server, "/all.ics")[1]["ETag"]

    def test_etag_differs_between_different_files(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics")[1]["ETag"] != _get(server, "/index.html")[1]["ETag"]

    def test_matching_if_none_match_is_304_without_body(self, server: tuple[str, int]) -> None:
        etag = _get(server, "/all.ics")[1]["ETag"]
        status, headers, body = _get(server, "/all.ics", {"If-None-Match": etag})
        assert (status, body) == (304, b"")
        assert headers["ETag"] == etag

    def test_one_of_several_etags_matching_is_304(self, server: tuple[str, int]) -> None:
        etag = _get(server, "/all.ics")[1]["ETag"]
        assert _get(server, "/all.ics", {"If-None-Match": f'"old", {etag}'})[0] == 304

    def test_star_matches_any_etag(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics", {"If-None-Match": "*"})[0] == 304

    def test_other_etag_is_200(self, server: tuple[str, int]) -> None:
        status, _, body = _get(server, "/all.ics", {"If-None-Match": '"something-else"'})
        assert (status, body) == (200, FEED)

    def test_if_modified_since_the_same_second_is_304(self, server: tuple[str, int]) -> None:
        since = email.utils.formatdate(MTIME, usegmt=True)
        assert _get(server, "/all.ics", {"If-Modified-Since": since})[0] == 304

    def test_if_modified_since_earlier_is_200(self, server: tuple[str, int]) -> None:
        since = email.utils.formatdate(MTIME - 1, usegmt=True)
        assert _get(server, "/all.ics", {"If-Modified-Since": since})[0] == 200

    def test_if_none_match_wins_over_if_modified_since(self, server: tuple[str, int]) -> None:
        since = email.utils.formatdate(MTIME + 60, usegmt=True)
        headers = {"If-None-Match": '"something-else"', "If-Modified-Since": since}
        assert _get(server, "/all.ics", headers)[0] == 200

    def test_an_unreadable_date_is_ignored(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics", {"If-Modified-Since": "yesterday"})[0] == 200

    def test_a_changed_file_gets_a_new_etag(self, server: tuple[str, int], site: Path) -> None:
        etag = _get(server, "/all.ics")[1]["ETag"]
        (site / "all.ics").write_bytes(FEED.replace(b"2.0", b"2.0\r\nX-CHANGED:1"))
        status, headers, _ = _get(server, "/all.ics", {"If-None-Match": etag})
        assert status == 200 and headers["ETag"] != etag


class TestNoEscape:
    @pytest.mark.parametrize("path", [
        "/../secret.txt",
        "/tracks/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/tracks/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/etc/passwd",
        "/all.ics%00.html",
        "/escape.ics",
    ])
    def test_paths_outside_the_folder_are_404(self, server: tuple[str, int],
                                               path: str) -> None:
        status, _, body = _get(server, path)
        assert status == 404
        assert b"outside" not in body and b"root:" not in body

    def test_a_symlink_that_stays_inside_is_served(self, server: tuple[str, int]) -> None:
        status, _, body = _get(server, "/inside-link.ics")
        assert (status, body) == (200, FEED)

    def test_dot_segments_inside_the_folder_are_refused(self, server: tuple[str, int]) -> None:
        assert _get(server, "/tracks/../all.ics")[0] == 404

    @pytest.mark.parametrize("path", ["/.git/config", "/.all.ics.abc.tmp", "/tracks/.hidden"])
    def test_hidden_files_are_404(self, server: tuple[str, int], site: Path,
                                  path: str) -> None:
        target = site / path.lstrip("/")
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(FEED)
        assert _get(server, path)[0] == 404

    def test_query_strings_are_ignored(self, server: tuple[str, int]) -> None:
        assert _get(server, "/all.ics?refresh=1")[2] == FEED


class TestResolve:
    def test_plain_file(self, site: Path) -> None:
        assert resolve(site, "/all.ics") == (site / "all.ics").resolve()

    def test_encoded_names_are_decoded(self, site: Path) -> None:
        (site / "a b.ics").write_bytes(FEED)
        assert resolve(site, "/a%20b.ics") == (site / "a b.ics").resolve()

    def test_symlink_out_is_none(self, site: Path) -> None:
        assert resolve(site, "/escape.ics") is None

    def test_folder_without_index_is_none(self, site: Path) -> None:
        assert resolve(site, "/tracks/") is None


class TestCommand:
    def test_missing_folder_is_an_error(self, tmp_path: Path) -> None:
        result = CliRunner().invoke(main, ["serve", str(tmp_path / "nope")])
        assert result.exit_code == 1
        assert "is not a folder; run `deadlinecal build` first" in result.output

    def test_port_out_of_range_is_a_usage_error(self, site: Path) -> None:
        result = CliRunner().invoke(main, ["serve", str(site), "--port", "70000"])
        assert result.exit_code == 2

    def test_help_shows_defaults(self) -> None:
        result = CliRunner().invoke(main, ["serve", "--help"])
        assert "127.0.0.1" in result.output and "8000" in result.output

    def test_serves_until_interrupted(self, site: Path) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "deadlinecal", "serve", str(site), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            first = process.stdout.readline()
            match = re.fullmatch(r"Serving .* at http://127\.0\.0\.1:(\d+)/ "
                                 r"\(Ctrl\+C to stop\)\.\n", first)
            assert match, first
            status, _, body = _get(("127.0.0.1", int(match[1])), "/all.ics")
            assert (status, body) == (200, FEED)
        finally:
            process.terminate()
            process.communicate(timeout=10)
