"""`serve` answers every `feed.ics` request with a short plain-text message saying what is
wrong, like the command line would: a missing query, a misspelled term, too many fields, and
a `picked/choices.json` that is not what a build writes (never a dropped connection)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.commands.serve import serve_in_thread
from deadlinecal.page.picker import CHOICES_PATH

PLAIN = "text/plain; charset=utf-8"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a build of the default data in `site/`."""
    root = tmp_path_factory.mktemp("served")
    result = CliRunner().invoke(main, ["build", "-o", str(root / "site"), "--as-of",
                                       "2026-08-01"])
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def server(root: Path) -> Iterator[str]:
    served, thread = serve_in_thread(root, "127.0.0.1", 0)
    yield f"127.0.0.1:{served.server_address[1]}"
    served.shutdown()
    served.server_close()
    thread.join(timeout=5)


def get(server: str, path: str) -> tuple[int, str, str]:
    """Status, Content-Type and body of a GET; raises if the server answers nothing."""
    connection = http.client.HTTPConnection(server, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return (response.status, response.getheader("Content-Type") or "",
                response.read().decode())
    finally:
        connection.close()


class TestBareFeedAddress:
    def test_feed_ics_without_a_query_says_which_query_it_expects(self, server: str) -> None:
        status, kind, body = get(server, "/site/feed.ics")
        assert (status, kind) == (400, PLAIN)
        assert "feed.ics?track=" in body
        assert all(name in body for name in ("track", "eligibility", "citizenship"))
        assert "<html" not in body.lower()

    def test_an_empty_query_is_answered_the_same(self, server: str) -> None:
        assert get(server, "/site/feed.ics?")[:2] == (400, PLAIN)

    def test_a_real_file_named_feed_ics_is_still_served(self, root: Path,
                                                        server: str) -> None:
        (root / "other").mkdir(exist_ok=True)
        (root / "other" / "feed.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
        assert get(server, "/other/feed.ics")[0] == 200


class TestMisspelledQueries:
    @pytest.mark.parametrize(("query", "meant"), [
        ("track=qaunt", "did you mean 'quant'?"),
        ("eligibility=phdd", "did you mean 'phd'?"),
        ("citizenship=us-citzen", "did you mean 'us-citizen'?"),
        ("trak=quant", "did you mean 'track'?"),
    ])
    def test_a_misspelling_gets_a_did_you_mean(self, server: str, query: str,
                                               meant: str) -> None:
        status, kind, body = get(server, f"/site/feed.ics?{query}")
        assert (status, kind) == (400, PLAIN)
        assert meant in body

    def test_a_value_like_nothing_declared_gets_no_guess(self, server: str) -> None:
        status, _, body = get(server, "/site/feed.ics?track=zzzzzz")
        assert status == 400 and "did you mean" not in body
        assert "valid: research, applied, quant, any" in body


class TestTooManyFields:
    def test_more_than_64_fields_says_so_and_names_the_limit(self, server: str) -> None:
        query = "&".join(["track=quant"] * 65)
        status, kind, body = get(server, f"/site/feed.ics?{query}")
        assert (status, kind) == (400, PLAIN)
        assert "too many fields" in body and "64" in body and "65" in body

    def test_64_fields_are_still_read(self, server: str) -> None:
        query = "&".join(["track=quant"] * 64)
        assert get(server, f"/site/feed.ics?{query}")[0] == 200


def _first_choice(document: dict[str, Any], value: object) -> dict[str, Any]:
    first = next(iter(document["choices"]))
    document["choices"][first] = value
    return document


# Each makes the real choices.json into something a build never writes.
BROKEN: dict[str, Callable[[dict[str, Any]], Any]] = {
    "a string": lambda document: "picked/abc.ics",
    "a list": lambda document: [document],
    "a number": lambda document: 7,
    "terms a string": lambda document: {**document, "terms": "track"},
    "terms a list": lambda document: {**document, "terms": ["track"]},
    "a term list a string": lambda document: {
        **document, "terms": {**document["terms"], "track": "quant"}},
    "a term a number": lambda document: {
        **document, "terms": {**document["terms"], "track": [1, 2]}},
    "choices a string": lambda document: {**document, "choices": "picked/abc.ics"},
    "choices a list": lambda document: {**document, "choices": [document["choices"]]},
    "a choice a list": lambda document: _first_choice(document, ["picked/abc.ics"]),
    "a choice a mapping": lambda document: _first_choice(document, {"path": "x.ics"}),
    "no terms": lambda document: {"choices": document["choices"]},
}


@pytest.fixture(scope="module")
def original(root: Path) -> bytes:
    """The choices.json of a real build in `broken/`."""
    site = root / "broken"
    result = CliRunner().invoke(main, ["build", "-o", str(site), "--as-of", "2026-08-01"])
    assert result.exit_code == 0
    return (site / CHOICES_PATH).read_bytes()


class TestBrokenChoices:
    @pytest.mark.parametrize("shape", sorted(BROKEN))
    @pytest.mark.parametrize("query", ["track=quant", "", "track=qaunt"])
    def test_a_choices_file_of_the_wrong_shape_gets_an_answer(
            self, root: Path, original: bytes, server: str, shape: str, query: str) -> None:
        mapping = root / "broken" / CHOICES_PATH
        mapping.write_text(json.dumps(BROKEN[shape](json.loads(original))))
        status, kind, body = get(server, f"/broken/feed.ics?{query}")
        assert kind == PLAIN
        assert status in (400, 404, 500)
        if status == 500:
            assert "choices.json" in body and "deadlinecal build" in body

    def test_the_server_keeps_answering_after_them(self, server: str) -> None:
        assert get(server, "/site/feed.ics?track=quant")[0] == 200


class TestUnforeseenFailure:
    def test_an_exception_while_answering_is_a_500_not_a_dropped_connection(
            self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        from deadlinecal.commands import serve

        def broken(*args: object) -> object:
            raise RuntimeError("something nobody foresaw")

        monkeypatch.setattr(serve, "picked_file", broken)
        lines: list[str] = []
        served, thread = serve_in_thread(root, "127.0.0.1", 0, log=lines.append)
        try:
            status, kind, body = get(f"127.0.0.1:{served.server_address[1]}",
                                     "/site/feed.ics?track=quant")
        finally:
            served.shutdown()
            served.server_close()
            thread.join(timeout=5)
        assert (status, kind) == (500, PLAIN)
        assert "could not answer" in body
        assert any("RuntimeError: something nobody foresaw" in line for line in lines)


class TestHelp:
    def test_serve_help_mentions_the_feed_address_with_a_query(self) -> None:
        result = CliRunner().invoke(main, ["serve", "--help"])
        assert result.exit_code == 0
        assert "feed.ics?" in result.output
