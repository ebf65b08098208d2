"""Real clients subscribed to `deadlinecal serve` keep every event of every feed.

vdirsyncer's `http` storage (what khal and many Nextcloud users run) splits a feed into one
item per event and copies the calendar's own properties into each; it syncs here into a
folder (`filesystem` storage) and into a Radicale CalDAV server, and khal reads the folder.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import wsgiref.simple_server
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import CliRunner

from deadlinecal.cli import main
from deadlinecal.ical.render import header_bytes
from deadlinecal.site import Build, build

from .conftest import DEFAULT_DATA
from .helpers import dataset_yaml, program
from .serve_support import served

Seen = Counter[tuple[str, str]]


def _tool(name: str) -> str:
    """A console script of the test extra, next to this Python or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: install the test extra (bash scripts/test does)"
    return found


def _events(data: bytes) -> Seen:
    """(SUMMARY, DTSTART) of every VEVENT: what a subscriber sees, whatever the UIDs."""
    calendar = icalendar.Calendar.from_ical(data)
    return Counter((str(event["SUMMARY"]), event["DTSTART"].to_ical().decode())
                   for event in calendar.walk("VEVENT"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default data built into a fresh folder, as `deadlinecal build` writes it."""
    root = tmp_path_factory.mktemp("site") / "calendars"
    result = CliRunner().invoke(main, ["build", str(DEFAULT_DATA), "-o", str(root)])
    assert result.exit_code == 0, result.output
    # Every choice of the default data keeps a program (a group its source does not state
    # keeps it), so the empty calendar clients must take comes from data whose one program
    # the source closes to undergraduates: its choices for undergraduates hold nothing.
    closed = build(dataset_yaml(program(eligibility="{open_to: [phd], closed_to: [undergrad]}")),
                   file="closed.yaml")
    empty = next(path for path in sorted(closed.files) if path.startswith("picked/")
                 and path.endswith(".ics") and not _events(closed.files[path]))
    (root / "picked" / "empty-choice.ics").write_bytes(closed.files[empty])
    return root


@pytest.fixture(scope="module")
def feeds(site: Path) -> dict[str, Seen]:
    """Each feed's path under the site -> the events it holds.

    Of the personal feeds, one per set of events (many choices hold the same programs), and
    one empty: a choice no program fits yet is an empty calendar the clients must take.
    """
    found: dict[str, Seen] = {}
    sets: set[frozenset[str]] = set()
    for path in sorted(site.rglob("*.ics")):
        relative = path.relative_to(site).as_posix()
        events = _events(path.read_bytes())
        if relative.startswith("picked/"):
            if frozenset(events) in sets:
                continue
            sets.add(frozenset(events))
        found[relative] = events
    assert len(found) >= 10 and sum(not events for events in found.values()) == 1
    assert all(events for path, events in found.items() if not path.startswith("picked/"))
    return found


def _sync(tmp: Path, pairs: dict[str, tuple[str, list[str]]]) -> str:
    """`vdirsyncer discover` + `sync` of http storages into the given storages; output."""
    lines = ["[general]", f'status_path = "{tmp / "status"}/"']
    for name, (url, target) in pairs.items():
        lines += ["", f"[pair {name}]", f'a = "{name}_http"', f'b = "{name}_copy"',
                  "collections = null",
                  "", f"[storage {name}_http]", 'type = "http"', f'url = "{url}"',
                  "", f"[storage {name}_copy]", *target]
    config = tmp / "vdirsyncer.conf"
    config.write_text("\n".join(lines) + "\n")
    env = {**os.environ, "VDIRSYNCER_CONFIG": str(config)}
    output = ""
    for command in ("discover", "sync"):
        done = subprocess.run([_tool("vdirsyncer"), command], env=env, cwd=tmp,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)
        output += done.stdout + done.stderr
        assert done.returncode == 0, output
    assert "error" not in output.lower(), output
    return output


def _pair_name(index: int) -> str:
    return f"feed{index}"


class TestCalendarProperties:
    def test_no_calendar_level_uid_in_any_feed(self, site: Path) -> None:
        for path in site.rglob("*.ics"):
            header = path.read_bytes().split(b"BEGIN:V", 2)[1]
            assert b"\r\nUID:" not in header, path

    def test_the_fast_header_has_no_uid_either(self, default_build: Build) -> None:
        for spec in default_build.feeds:
            assert b"\r\nUID" not in header_bytes(default_build.dataset, spec)

    def test_vdirsyncer_splits_every_feed_into_one_item_per_event(
            self, site: Path, feeds: dict[str, Seen]) -> None:
        from vdirsyncer.vobject import Item, split_collection

        for path, events in feeds.items():
            text = (site / path).read_text(encoding="utf-8")
            # The http storage's default: UIDs replaced by a hash, then ident keys the items.
            idents = {Item(raw).with_uid(Item(raw).hash).ident
                      for raw in split_collection(text)}
            assert len(idents) == sum(events.values()), path


@pytest.fixture(scope="module")
def synced(site: Path, feeds: dict[str, Seen],
           tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every feed synced by vdirsyncer http -> filesystem: feed path -> its folder."""
    tmp = tmp_path_factory.mktemp("vdirsyncer")
    folders = {path: tmp / "copies" / _pair_name(i) for i, path in enumerate(feeds)}
    for folder in folders.values():
        folder.mkdir(parents=True)
    with served(site, tmp / "serve.log") as (port, _):
        _sync(tmp, {
            _pair_name(i): (f"http://127.0.0.1:{port}/{path}",
                            ['type = "filesystem"', f'path = "{folder}/"',
                             'fileext = ".ics"'])
            for i, (path, folder) in enumerate(folders.items())
        })
    return folders


class TestVdirsyncerHttpToFolder:
    def test_every_feed_keeps_every_event(self, synced: dict[str, Path],
                                          feeds: dict[str, Seen]) -> None:
        kept = {path: sum((_events(item.read_bytes()) for item in folder.glob("*.ics")),
                          Counter())
                for path, folder in synced.items()}
        assert kept == feeds
        total = sum(sum(events.values()) for events in feeds.values())
        assert sum(len(list(folder.glob("*.ics"))) for folder in synced.values()) == total

    def test_each_item_holds_one_event(self, synced: dict[str, Path]) -> None:
        for folder in synced.values():
            for item in folder.glob("*.ics"):
                assert sum(_events(item.read_bytes()).values()) == 1, item

    def test_khal_lists_a_deadline_on_its_day(self, synced: dict[str, Path],
                                              feeds: dict[str, Seen],
                                              tmp_path: Path) -> None:
        closings = sorted((start, summary) for summary, start in feeds["all.ics"]
                          if summary.lstrip("~").startswith("Closes:"))
        assert closings, "the default data has a closing date"
        start, summary = closings[0]
        day = dt.datetime.strptime(start[:8], "%Y%m%d").date().isoformat()
        config = tmp_path / "khal.conf"
        config.write_text(
            f"[calendars]\n[[feed]]\npath = {synced['all.ics']}\n"
            "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
            "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
            "longdatetimeformat = %Y-%m-%d %H:%M\ndefault_timezone = UTC\n"
            "local_timezone = UTC\n"
            f"[sqlite]\npath = {tmp_path / 'khal.db'}\n")
        done = subprocess.run(
            [_tool("khal"), "-c", str(config), "list", "--format", "{start-date} {title}",
             "--day-format", "", day, "1d"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert f"{day} {summary}" in done.stdout.splitlines(), done.stdout + done.stderr


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, wsgiref.simple_server.WSGIServer):
    daemon_threads = True


class _QuietHandler(wsgiref.simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[int]:
    """A Radicale CalDAV server on a free port (no authentication); yields the port."""
    import radicale as radicale_package
    import radicale.config

    configuration = radicale.config.load()
    configuration.update({
        "auth": {"type": "none"}, "rights": {"type": "owner_only"},
        "storage": {"filesystem_folder": str(tmp_path / "radicale"),
                    "_filesystem_fsync": "False"},
        "logging": {"level": "warning"},
    }, "test", privileged=True)
    application = radicale_package.Application(configuration)
    server = wsgiref.simple_server.make_server(
        "127.0.0.1", 0, application, server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


_AUTH = {"Authorization": "Basic " + base64.b64encode(b"test:x").decode()}


def _caldav(port: int, method: str, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers=_AUTH)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class TestVdirsyncerHttpToRadicale:
    def test_every_feed_keeps_every_event(self, site: Path, feeds: dict[str, Seen],
                                          radicale: int, tmp_path: Path) -> None:
        collections = {path: f"/test/{_pair_name(i)}/" for i, path in enumerate(feeds)}
        for collection in collections.values():
            assert _caldav(radicale, "MKCALENDAR", collection)[0] == 201
        with served(site, tmp_path / "serve.log") as (port, _):
            _sync(tmp_path, {
                _pair_name(i): (f"http://127.0.0.1:{port}/{path}",
                                ['type = "caldav"',
                                 f'url = "http://127.0.0.1:{radicale}{collection}"',
                                 'username = "test"', 'password = "x"'])
                for i, (path, collection) in enumerate(collections.items())
            })
        kept = {}
        for path, collection in collections.items():
            status, body = _caldav(radicale, "GET", collection)
            assert status == 200, body
            kept[path] = _events(body)
        assert kept == feeds
