"""Bad posting lists and failed downloads: a clear message, exit 1, no file written; a bad
posting of a good list: skipped with a warning naming it, the rest imported."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deadlinecal.postings.fetch import FetchError, fetch

from .postings_support import CERTIFICATE, SAMPLE, run

GOOD = {"id": "98b2d671-3f03-430e-b18c-e5ddb8ce5035", "company_name": "Acme",
        "title": "Intern", "date_posted": 1729811664, "terms": ["Summer 2025"]}


def imported(tmp_path: Path, content: bytes) -> tuple[Any, Path]:
    source = tmp_path / "listings.json"
    source.write_bytes(content)
    output = tmp_path / "postings.yaml"
    return run("import", "simplify", str(source), "-o", str(output)), output


def posting(**changes: Any) -> dict[str, Any]:
    item = dict(GOOD)
    item.update(changes)
    return {k: v for k, v in item.items() if v is not None}


class TestBadFiles:
    @pytest.mark.parametrize(("content", "message"), [
        (b'[{"id": "x", ', "not valid JSON: Expecting property name enclosed in double quotes;"
                          " the file ends in the middle, so it was probably cut short"),
        (b"[1, 2,, 3]", "listings.json:1:7: error: this is not valid JSON"),
        (b'{"postings": []}', "the file holds a JSON object, not an array"),
    ])
    def test_malformed_or_truncated_json(self, tmp_path: Path, content: bytes,
                                         message: str) -> None:
        result, output = imported(tmp_path, content)
        assert result.exit_code == 1
        assert message in result.output
        assert not output.exists()

    @pytest.mark.parametrize(("change", "message"), [
        ({"date_posted": None}, "postings[1] (id '98b2d671-3f03-430e-b18c-e5ddb8ce5035'): "
                                "date_posted is missing"),
        ({"date_posted": "2024-10-01"}, "postings[1] (id '98b2d671-3f03-430e-b18c-e5ddb8ce5035'"
                                        "): date_posted is not a number (\"2024-10-01\")"),
        ({"date_posted": 1729811664000}, "is not a plausible Unix time in seconds "
                                         "(milliseconds?)"),
        ({"id": "3e1508f8-cf5c-10ef-8c4a-91039casce5a"},
         "postings[1] (id '3e1508f8-cf5c-10ef-8c4a-91039casce5a'): id is not a UUID"),
        ({"id": "ea6a35b2-42d7-4a57-8db0-f1b3d2eb20aa", "company_name": ""},
         "company_name is empty"),
    ])
    def test_a_bad_posting_is_skipped_with_a_warning_naming_it(
            self, tmp_path: Path, change: dict[str, Any], message: str) -> None:
        good = posting(id="11111111-2222-4333-8444-555555555555")
        result, output = imported(tmp_path, json.dumps([good, posting(**change)]).encode())
        assert result.exit_code == 0, result.output
        assert "listings.json: warning: postings[1]" in result.output
        assert message in result.output
        assert "       1  skipped: they cannot be used (see the warnings)" in result.output
        assert "id: 11111111-2222-4333-8444-555555555555" in output.read_text()
        assert output.read_text().count("  - id: ") == 1

    def test_a_repeated_id_is_skipped_and_the_first_posting_kept(self, tmp_path: Path) -> None:
        second = posting(company_name="Impostor")
        result, output = imported(tmp_path, json.dumps([posting(), second]).encode())
        assert result.exit_code == 0, result.output
        assert "warning: postings[1] (id '98b2d671-3f03-430e-b18c-e5ddb8ce5035'): the id is " \
               "also used by postings[0]" in result.output
        assert 'employer: "Acme"' in output.read_text()
        assert "Impostor" not in output.read_text()

    def test_a_file_over_the_limit_is_refused_unread(self, tmp_path: Path) -> None:
        result, output = imported(tmp_path, b"[" + b" " * (50 * 1024 * 1024) + b"]")
        assert result.exit_code == 1
        assert "the file is larger than the limit of 40 MiB" in result.output
        assert not output.exists()

    def test_a_posting_broken_since_the_last_import_keeps_its_program(
            self, tmp_path: Path) -> None:
        output = tmp_path / "postings.yaml"
        assert run("import", "simplify", str(SAMPLE), "-o", str(output)).exit_code == 0
        before = output.read_text()
        items = json.loads(SAMPLE.read_text())
        del items[5]["date_posted"]
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(items))
        result = run("import", "simplify", str(bad), "-o", str(output))
        assert result.exit_code == 0, result.output
        assert f"postings[5] (id {items[5]['id']!r}): date_posted is missing" in result.output
        assert "0 newly cancelled" in result.output
        # Still on the list, only unreadable today: its program stays as it was.
        assert output.read_text().split("programs:")[1] == before.split("programs:")[1]

    def test_a_file_the_import_did_not_write_is_never_overwritten(
            self, tmp_path: Path) -> None:
        curated = tmp_path / "curated.yaml"
        curated.write_text("format: 1\n")
        result = run("import", "simplify", str(SAMPLE), "-o", str(curated))
        assert result.exit_code == 1
        assert "was not written by `deadlinecal import`; refusing to overwrite it" \
            in result.output
        assert curated.read_text() == "format: 1\n"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/listings.json":
            body = SAMPLE.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/listings.json")
            self.end_headers()
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_error(404, "Not Found")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERTIFICATE)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def trusting() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(CERTIFICATE))


class TestFetch:
    def test_fetches_the_list_over_https(self, server: str, trusting: ssl.SSLContext) -> None:
        assert fetch(f"{server}/listings.json", context=trusting) == SAMPLE.read_bytes()

    def test_an_http_error_names_the_status(self, server: str,
                                            trusting: ssl.SSLContext) -> None:
        with pytest.raises(FetchError, match=r"answered HTTP 404 Not Found"):
            fetch(f"{server}/missing.json", context=trusting)

    def test_a_redirect_to_plain_http_is_refused(self, server: str,
                                                 trusting: ssl.SSLContext) -> None:
        with pytest.raises(FetchError, match=r"redirects to http://127\.0\.0\.1:9/listings"
                                             r"\.json, which is not an https:// address"):
            fetch(f"{server}/moved", context=trusting)

    def test_a_body_over_the_limit_is_refused(self, server: str,
                                              trusting: ssl.SSLContext) -> None:
        with pytest.raises(FetchError, match="larger than the limit of 40 MiB"):
            fetch(f"{server}/huge", context=trusting)

    def test_a_slow_server_times_out(self, server: str, trusting: ssl.SSLContext) -> None:
        with pytest.raises(FetchError, match="did not answer within 1 seconds"):
            fetch(f"{server}/slow", context=trusting, timeout=1)

    def test_an_untrusted_certificate_is_refused(self, server: str) -> None:
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch(f"{server}/listings.json")

    def test_the_command_refuses_plain_http(self, tmp_path: Path) -> None:
        output = tmp_path / "postings.yaml"
        result = run("import", "simplify", "http://example.org/listings.json", "-o",
                     str(output))
        assert result.exit_code == 1
        assert "http://example.org/listings.json is not an https:// address" in result.output
        assert not output.exists()


class TestSourceFile:
    def test_a_missing_list_is_named_with_what_was_expected(self, tmp_path: Path) -> None:
        missing = tmp_path / "listings.json"
        result = run("import", "simplify", str(missing), "-o", str(tmp_path / "p.yaml"))
        assert result.exit_code == 1
        assert result.output == (f"{missing}: error: no such file (expected a posting list "
                                 "(listings.json) or an https:// address)\n"
                                 "1 error; nothing was written.\n")

    def test_an_unreadable_list_is_an_error_not_a_traceback(self, tmp_path: Path) -> None:
        result = run("import", "simplify", str(tmp_path), "-o", str(tmp_path / "p.yaml"))
        assert result.exit_code == 1
        assert result.output.startswith(f"{tmp_path}: error: cannot read it: ")
