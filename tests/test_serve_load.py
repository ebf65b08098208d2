"""`deadlinecal serve` under a crowd and against rude clients, over real sockets.

A thousand simultaneous GETs are all answered in full; idle sockets are dropped; HTTP/0.9
gets an answer and a close instead of a hang; a client leaving mid-answer is no traceback;
and whatever a client puts in its request line reaches the log with control characters
escaped.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import socket
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from deadlinecal.commands.serve import printable, serve_in_thread

from .conftest import ROOT
from .serve_support import served

FEED = (ROOT / "calendars" / "all.ics").read_bytes()
CROWD = 1000
# How long each client of the crowd is willing to wait for its whole answer.
PATIENCE = 30.0
# A client's wait for an answer that should come at once (it only bounds a hang).
PROMPT = 10.0


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "calendars"
    root.mkdir()
    (root / "all.ics").write_bytes(FEED)
    return root


@pytest.fixture(scope="module", autouse=True)
def enough_open_files() -> Iterator[None]:
    """The crowd's client end needs a thousand sockets in this process too."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


async def _fetch(port: int) -> bool:
    """One GET of /all.ics on its own connection; whether the whole feed came back."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    try:
        writer.write(b"GET /all.ics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        await writer.drain()
        answer = await reader.read()  # up to the server's close
    except OSError:
        return False
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.startswith(b"HTTP/1.1 200 ") and body == FEED


async def _crowd(port: int) -> int:
    """How many of CROWD simultaneous GETs got the whole feed within PATIENCE."""
    tasks = [asyncio.create_task(_fetch(port)) for _ in range(CROWD)]
    done, pending = await asyncio.wait(tasks, timeout=PATIENCE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    return sum(task.result() for task in done)


async def _fetch_beside_idle(port: int, idle: int) -> bool:
    """Open `idle` silent connections at once, then GET; whether it came back within PROMPT."""
    opened = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(idle)),
        return_exceptions=True)
    try:
        return await asyncio.wait_for(_fetch(port), PROMPT)
    except TimeoutError:
        return False
    finally:
        for connection in opened:
            if not isinstance(connection, BaseException):
                connection[1].close()


def _exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes, read to the server's close (within PROMPT); a hang raises timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=PROMPT) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@contextlib.contextmanager
def _in_process(site: Path, log: list[str] | None = None,
                timeout: float = 120) -> Iterator[int]:
    """The server on a thread, its port; on leaving, it waits for its handler threads."""
    server, thread = serve_in_thread(site, log=log.append if log is not None else None,
                                     timeout=timeout)
    # So that server_close() joins the handlers and everything they would log is in.
    server.block_on_close = True  # type: ignore[misc]
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=PROMPT)


def _get(port: int) -> bytes:
    return _exchange(port, b"GET /all.ics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


class TestCrowd:
    def test_a_thousand_simultaneous_gets_are_answered_in_full(self, site: Path,
                                                               tmp_path: Path) -> None:
        with served(site, tmp_path / "serve.log") as (port, _):
            answered = asyncio.run(_crowd(port))
        assert answered >= CROWD * 99 // 100, f"{answered} of {CROWD} answered"
        assert "Traceback" not in (tmp_path / "serve.log").read_text()

    def test_a_request_is_answered_while_256_idle_sockets_are_open(self, site: Path,
                                                                   tmp_path: Path) -> None:
        with served(site, tmp_path / "serve.log") as (port, _):
            assert asyncio.run(_fetch_beside_idle(port, 256))

    def test_serve_raises_a_low_open_file_limit(self, site: Path, tmp_path: Path) -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
        with served(site, tmp_path / "serve.log", open_files=256) as (_, pid):
            limits = Path(f"/proc/{pid}/limits").read_text()
        (line,) = [line for line in limits.splitlines() if line.startswith("Max open files")]
        assert int(line.split()[3]) >= wanted, line


class TestIdleSockets:
    def test_a_silent_connection_is_closed(self, site: Path) -> None:
        with _in_process(site, timeout=0.5) as port:
            with socket.create_connection(("127.0.0.1", port), timeout=PROMPT) as idle:
                assert idle.recv(1) == b""  # closed by the server, not by our timeout
            assert _get(port).endswith(b"\r\n\r\n" + FEED)

    def test_a_keep_alive_connection_is_closed_after_its_answer_goes_quiet(
            self, site: Path) -> None:
        with _in_process(site, timeout=0.5) as port:
            answer = _exchange(port, b"GET /all.ics HTTP/1.1\r\nHost: x\r\n\r\n")
            assert answer.endswith(b"\r\n\r\n" + FEED)


@pytest.fixture
def patient_server(site: Path) -> Iterator[tuple[int, list[str]]]:
    """A server whose idle timeout is far beyond PROMPT: (port, log lines)."""
    lines: list[str] = []
    with _in_process(site, lines, timeout=120) as port:
        yield port, lines


class TestOldAndBrokenRequests:
    @pytest.mark.parametrize("request_line", [b"GET /all.ics\r\n", b"GET /all.ics HTTP/0.9\r\n"])
    def test_http09_gets_an_error_and_a_close_not_a_hang(
            self, patient_server: tuple[int, list[str]], request_line: bytes) -> None:
        port, _ = patient_server
        answer = _exchange(port, request_line)
        assert answer.startswith(b"HTTP/1.1 505 ")
        assert FEED not in answer

    @pytest.mark.parametrize("request_line", [
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 HTTP/1.1\r\n\r\n",  # TLS to a plain port
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ])
    def test_a_malformed_request_gets_an_error_and_a_close(
            self, patient_server: tuple[int, list[str]], request_line: bytes) -> None:
        port, _ = patient_server
        answer = _exchange(port, request_line)
        assert answer.startswith((b"HTTP/1.1 4", b"HTTP/1.1 5"))


class TestDisconnects:
    def test_a_client_leaving_mid_answer_is_no_traceback(
            self, site: Path, capfd: pytest.CaptureFixture[str]) -> None:
        (site / "big.ics").write_bytes(b"X" * 64_000_000)  # far more than socket buffers
        lines: list[str] = []
        with _in_process(site, lines) as port, \
                socket.create_connection(("127.0.0.1", port), timeout=PROMPT) as client:
            client.sendall(b"GET /big.ics HTTP/1.1\r\nHost: x\r\n\r\n")
            assert client.recv(1024).startswith(b"HTTP/1.1 200 ")
            # Close with a reset while the server is still writing.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        captured = capfd.readouterr()
        assert "Traceback" not in captured.err + captured.out
        assert not any("rror" in line for line in lines), lines


class TestLogIsEscaped:
    def test_escape_in_a_request_path_is_logged_escaped(self, site: Path,
                                                        tmp_path: Path) -> None:
        log = tmp_path / "serve.log"
        with served(site, log) as (port, _):
            answer = _exchange(port, b"GET /\x1b[2J\x1b]0;owned\x07 HTTP/1.1\r\n"
                                     b"Host: x\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 404 ")
        text = log.read_text(encoding="utf-8", errors="surrogateescape")
        assert "\x1b" not in text and "\x07" not in text
        assert '"GET /\\x1b[2J\\x1b]0;owned\\x07 HTTP/1.1" 404' in text

    def test_a_malformed_request_line_is_logged_escaped(self, site: Path,
                                                        tmp_path: Path) -> None:
        log = tmp_path / "serve.log"
        with served(site, log) as (port, _):
            _exchange(port, b"\x1b[31mBREW\x9b / HTTP/1.1\r\nHost: x\r\n\r\n")
        text = log.read_text(encoding="utf-8", errors="surrogateescape")
        assert "\x1b" not in text and "\x9b" not in text
        assert "\\x1b[31mBREW\\x9b" in text


class TestPrintable:
    @pytest.mark.parametrize(("raw", "shown"), [
        ("GET /all.ics HTTP/1.1", "GET /all.ics HTTP/1.1"),
        ("caf\u00e9 \u2014 ok", "caf\u00e9 \u2014 ok"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("\x9b\x7f\x00", "\\x9b\\x7f\\x00"),
        ("\u202eevil", "\\u202eevil"),
        ("back\\x1b", "back\\\\x1b"),
    ])
    def test_control_and_invisible_characters_are_escaped(self, raw: str,
                                                           shown: str) -> None:
        assert printable(raw) == shown
