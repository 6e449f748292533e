"""Which URLs may reach a page or a feed.

Only http(s) URLs and relative references are allowed anywhere a URL is written.
Browsers ignore ASCII whitespace and control characters inside a scheme and
decode entities before reading an attribute, so the scheme is judged after
undoing those tricks (``JaVa&#x53;cript:``, ``java\\tscript:``).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

SAFE_SCHEMES = frozenset({"http", "https"})
_STRIPPED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see, lower-cased, or None for a relative URL."""
    decoded = html.unescape(html.unescape(url))
    match = _SCHEME.match(_STRIPPED.sub("", decoded))
    return match.group(1).lower() if match else None


def is_safe_url(url: str, *, allow_relative: bool = True) -> bool:
    """True for http(s) URLs with a host, and (optionally) relative references."""
    if not isinstance(url, str) or not url.strip() or CONTROL_CHARS.search(url):
        return False
    scheme = scheme_of(url)
    if scheme is None:
        # Browsers drop tabs and newlines and read "\\" as "/": "/\\evil.example"
        # is as protocol-relative as "//evil.example".
        probe = re.sub(r"[\t\r\n]", "", url).replace("\\", "/").strip()
        return allow_relative and not probe.startswith("//")
    if scheme not in SAFE_SCHEMES:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return bool(parts.hostname)


def is_absolute_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    return (
        isinstance(url, str)
        and not re.search(r"\s", url)
        and scheme_of(url) in SAFE_SCHEMES
        and is_safe_url(url, allow_relative=False)
    )


def normalise_url(url: str) -> str:
    """A canonical spelling used to spot two items about the same original.

    Scheme and host are case-insensitive, a trailing slash and the fragment do not
    change the document, and ``www.`` rarely does.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{path}{query}"
