"""Download a posting list over HTTPS with the standard library, refusing what is unsafe.

urllib does all this needs (TLS with certificate checks, redirects, a timeout), so no HTTP
client is added. Only https:// addresses are fetched, a redirect may lead only to another
https:// address, and the body is read up to a limit, never further.
"""

from __future__ import annotations

import http.client
import ssl
import urllib.error
import urllib.request
from typing import IO, Any

from deadlinecal.errors import DeadlinecalError
from deadlinecal.postings.listing import MAX_POSTINGS_BYTES

DEFAULT_TIMEOUT = 30.0
_CHUNK = 1 << 16


class FetchError(DeadlinecalError):
    """The list could not be downloaded; nothing was written."""


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: http.client.HTTPMessage, newurl: str
                         ) -> urllib.request.Request | None:
        if not newurl.lower().startswith("https://"):
            raise FetchError(f"{_show(req.full_url)} redirects to {_show(newurl)}, which is "
                             "not an https:// address; refusing to follow it")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_POSTINGS_BYTES,
          context: ssl.SSLContext | None = None) -> bytes:
    """The body of `url` (https only). Raises FetchError saying what went wrong.

    `context` replaces the default certificate checks (tests pass one trusting their own
    local server).
    """
    if not url.lower().startswith("https://"):
        raise FetchError(f"{_show(url)} is not an https:// address; fetch lists over "
                         "https, or download the file and pass its path")
    if not url.isprintable() or " " in url:
        raise FetchError(f"{_show(url)} holds a space or a control character, which a web "
                         "address may not; percent-encode it (a space is %20)")
    opener = urllib.request.build_opener(
        _HttpsOnlyRedirects(), urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers={"User-Agent": "deadlinecal",
                                                   "Accept": "application/json"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return _read_limited(response, url, max_bytes)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{_show(url)} answered HTTP {exc.code} {_show(str(exc.reason))}; "
                         "check the address (the list's raw listings.json)") from None
    except urllib.error.URLError as exc:
        reason: Any = exc.reason
        if isinstance(reason, TimeoutError):
            raise _timed_out(url, timeout) from None
        raise FetchError(f"cannot fetch {_show(url)}: {_show(str(reason))}") from None
    except TimeoutError:
        raise _timed_out(url, timeout) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise FetchError(f"cannot fetch {_show(url)}: {_show(str(exc))}") from None


def _read_limited(response: Any, url: str, max_bytes: int) -> bytes:
    length = response.headers.get("Content-Length")
    too_large = FetchError(f"{_show(url)} is larger than the limit of "
                           f"{max_bytes // (1024 * 1024)} MiB; a posting list is a few MB")
    if length is not None and length.isdigit() and int(length) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)


def _timed_out(url: str, timeout: float) -> FetchError:
    return FetchError(f"{_show(url)} did not answer within {timeout:g} seconds; try again "
                      "later or raise --timeout")


def _show(text: str, limit: int = 120) -> str:
    """Text safe to print on a terminal: no control characters, not too long."""
    safe = "".join(char if char.isprintable() else "?" for char in text)
    return safe if len(safe) <= limit else safe[:limit] + "..."
