"""Fetching one URL the way a polite, careful client does.

Only http(s) is fetched, at every redirect hop; redirects are followed up to a
cap; the whole response must arrive within a deadline (a server that drips one
byte a second cannot hold a command forever) and under a size cap (checked
against Content-Length and again while reading). Every connection, at every
hop, goes only to an address the address policy allows (``netguard``: public
internet addresses by default), and URLs with a user name or password are
refused. Every failure is a ``FetchError`` whose message names the URL and the
reason in one line, with anything unprintable (terminal escapes from a hostile
redirect or reason phrase) escaped.
"""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3

from newsdigest import __version__
from newsdigest.curate.netguard import (
    AddressPolicy,
    BlockedAddress,
    guarded_session,
    public_only,
)
from newsdigest.problems import printable
from newsdigest.urls import is_absolute_http_url

logger = logging.getLogger(__name__)

USER_AGENT = (
    f"newsdigest/{__version__} (+https://github.com/newsdigest/newsdigest; "
    "curator import tool)"
)
TIMEOUT = 15.0
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
CHUNK = 65_536
#: How to lift the default address policy, named in its refusals.
OPT_IN = "pass --allow-private-network"


class FetchError(Exception):
    """A URL could not be fetched; ``str()`` is the one line shown to the curator."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(printable(f"{url}: {reason}"))
        self.url = url
        self.reason = reason


class AddressRefused(FetchError):
    """The URL (or a redirect) leads to an address the policy does not allow."""


class HTTPStatusError(FetchError):
    """The server answered with an error status; ``status`` and ``headers``
    (lower-cased names) let a caller back off on 429 or tell 404 from 503."""

    def __init__(
        self, url: str, reason: str, status: int, headers: dict[str, str]
    ) -> None:
        super().__init__(url, reason)
        self.status = status
        self.headers = headers


class UnknownHost(FetchError):
    """The host name does not resolve (no such name: not a temporary failure)."""


@dataclass
class Fetched:
    """A response, read whole (or a 304 with no body)."""

    url: str
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    accept: tuple[str, ...] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    policy: AddressPolicy = public_only,
    opt_in: str = OPT_IN,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    read_body: bool = True,
) -> Fetched:
    """GET ``url``; follow redirects by hand so each hop is checked.

    ``accept`` lists the content types wanted (e.g. HTML only for ``add``);
    anything else is refused before its body is read. ``etag`` and
    ``last_modified`` make a conditional request, answered by a 304.
    ``policy`` decides which addresses may be connected to; a refusal by the
    default policy ends with ``opt_in``, the way to allow private networks.
    ``method`` is GET or HEAD (a link check); ``headers`` are sent to the
    first origin only (an ``Authorization`` must not follow a redirect to
    another host); ``read_body=False`` answers with the status alone.
    """
    with guarded_session(policy) as session:
        return _fetch(
            session,
            url,
            timeout=timeout,
            max_bytes=max_bytes,
            max_redirects=max_redirects,
            accept=accept,
            etag=etag,
            last_modified=last_modified,
            fix=f"; to fetch it anyway, {opt_in}" if policy is public_only else "",
            method=method,
            extra=headers or {},
            read_body=read_body,
        )


def _fetch(
    session: requests.Session,
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int,
    accept: tuple[str, ...] | None,
    etag: str | None,
    last_modified: str | None,
    fix: str,
    method: str = "GET",
    extra: dict[str, str] | None = None,
    read_body: bool = True,
) -> Fetched:
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": ", ".join(accept) + ", */*;q=0.1" if accept else "*/*",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    current = url
    origin = _origin(url)
    for _hop in range(max_redirects + 1):
        if not is_absolute_http_url(current):
            raise FetchError(url, f"'{current}' is not an http(s) URL")
        hop = "" if current == url else f"redirected to {current}, "
        if urlsplit(current).username is not None:
            raise FetchError(url, f"{hop}a URL with a user name or password is refused")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(url, f"timed out after {timeout:g} s")
        try:
            response = session.request(
                method,
                current,
                headers={**headers, **(extra or {})}
                if _origin(current) == origin
                else headers,
                timeout=(min(remaining, timeout), min(remaining, timeout)),
                allow_redirects=False,
                stream=True,
            )
        except BlockedAddress as blocked:
            named = blocked.host.strip("[]")
            named = f" ('{blocked.host}')" if named != blocked.address else ""
            raise AddressRefused(
                url,
                f"{hop}refused to connect to {blocked.address}{named}: "
                f"{blocked.why}{fix}",
            ) from None
        except requests.Timeout:
            raise FetchError(url, f"timed out after {timeout:g} s") from None
        except requests.RequestException as error:
            if _no_such_host(error):
                raise UnknownHost(url, f"{hop}unknown host") from None
            raise FetchError(url, f"network error ({_reason(error)})") from None
        except ValueError:
            # requests parses a redirect's Location even with redirects off
            # (for Response.next); urllib raises on "x]y" and bad ports.
            raise FetchError(url, "the server sent an unreadable address") from None
        with response:
            if response.is_redirect:
                # Decoded as requests does (UTF-8 sent as Latin-1 by http.client).
                location = session.get_redirect_target(response) or ""
                if not location:
                    raise FetchError(
                        url, f"HTTP {response.status_code} without a Location"
                    )
                current = urljoin(current, location)
                logger.debug("redirected to %s", current)
                continue
            if not read_body and response.status_code < 400:
                return Fetched(
                    current,
                    response.status_code,
                    b"",
                    {k.lower(): v for k, v in response.headers.items()},
                )
            return _read(url, current, response, accept, max_bytes, deadline, timeout)
    raise FetchError(url, f"more than {max_redirects} redirects")


def _read(
    url: str,
    final: str,
    response: requests.Response,
    accept: tuple[str, ...] | None,
    max_bytes: int,
    deadline: float,
    timeout: float,
) -> Fetched:
    headers = {k.lower(): v for k, v in response.headers.items()}
    if response.status_code == 304:
        return Fetched(final, 304, b"", headers)
    if response.status_code >= 400:
        reason = response.reason or ""
        raise HTTPStatusError(
            url,
            f"HTTP {response.status_code} {reason}".rstrip(),
            response.status_code,
            headers,
        )
    fetched = Fetched(final, response.status_code, b"", headers)
    if accept and fetched.content_type not in accept:
        shown = fetched.content_type or "no content type"
        raise FetchError(url, f"is {shown}, not a web page ({', '.join(accept)})")
    length = headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise FetchError(url, f"is {int(length):,} bytes; the limit is {max_bytes:,}")
    chunks: list[bytes] = []
    size = 0
    try:
        # read1 returns what has arrived (up to CHUNK) instead of waiting for a
        # full chunk, so the deadline is checked while a slow server drips.
        while chunk := response.raw.read1(CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(
                    url, f"is larger than the limit of {max_bytes:,} bytes"
                )
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {timeout:g} s")
            chunks.append(chunk)
    except (requests.Timeout, urllib3.exceptions.TimeoutError):
        raise FetchError(url, f"timed out after {timeout:g} s") from None
    except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
        raise FetchError(url, f"network error ({_reason(error)})") from None
    fetched.body = b"".join(chunks)
    return fetched


def _origin(url: str) -> tuple[str, str, int | None]:
    """Scheme, host and port: where credentials in headers may be sent."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


#: getaddrinfo's answers for a name that does not exist (not "try again").
_NO_SUCH_NAME = {
    getattr(socket, name)
    for name in ("EAI_NONAME", "EAI_NODATA")
    if hasattr(socket, name)
}


def _no_such_host(error: Exception) -> bool:
    """Whether the innermost cause is a resolver's "no such name"."""
    inner: BaseException | None = error
    seen = 0
    while inner is not None and seen < 20:
        if isinstance(inner, socket.gaierror):
            return inner.errno in _NO_SUCH_NAME
        inner = inner.__cause__ or inner.__context__
        seen += 1
    return False


def _reason(error: Exception) -> str:
    """The innermost cause, without the URL and object reprs requests piles on."""
    inner: BaseException = error
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner.args[-1] if inner.args else inner)
    if "Connection refused" in text or "ConnectionRefused" in repr(inner):
        return "connection refused"
    if "Name or service not known" in text or "getaddrinfo" in text:
        return "unknown host"
    return text.split(": ", 1)[-1][:160] or type(inner).__name__
