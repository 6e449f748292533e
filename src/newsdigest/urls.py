"""Which URLs may reach a page or a feed: the one URL policy.

Only http(s) URLs and relative references are allowed anywhere a URL is written;
a body's links may also be ``mailto:``; a built page may also link ``tel:``.
Browsers ignore ASCII whitespace and control characters inside a scheme and
decode entities before reading an attribute, so the scheme is judged after
undoing those tricks (``JaVa&#x53;cript:``, ``java\\tscript:``). The sanitiser
(``newsdigest.model.sanitize``), the settings and front matter checks and the site
checks (``newsdigest.sitecheck``) all ask here, so what one lets through the
others accept, and what one refuses none of them lets through.
"""

from __future__ import annotations

import html
import ipaddress
import re
import socket
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

SAFE_SCHEMES = frozenset({"http", "https"})
#: What a sanitised body may link to (``href``); images and quotes stay http(s).
LINK_SCHEMES = SAFE_SCHEMES | {"mailto"}
#: What a built page may link to that leaves the site (the theme may use tel:).
EXTERNAL_SCHEMES = LINK_SCHEMES | {"tel"}
#: Schemes that run code or smuggle content: never acceptable in a URL attribute.
DANGEROUS_SCHEMES = frozenset({"javascript", "vbscript", "data"})
_STRIPPED = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")

#: The web copy of an edition's email, beside the edition's page: its styles
#: are inlined into ``style`` attributes, as mail clients need them; the page
#: checks and the host policy (newsdigest.publishing.hosts) allow them there
#: and nowhere else.
EMAIL_HTML = "email.html"


def scheme_of(url: str) -> str | None:
    """The scheme a browser would see, lower-cased, or None for a relative URL."""
    decoded = html.unescape(html.unescape(url))
    match = _SCHEME.match(_STRIPPED.sub("", decoded))
    return match.group(1).lower() if match else None


def is_safe_url(url: str, *, allow_relative: bool = True) -> bool:
    """True for http(s) URLs with a host (and a port, if any, that is a port),
    and (optionally) relative references."""
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
        parts.port  # noqa: B018  raises for "x:99999" or "x:abc", as clean_url would
    except ValueError:
        return False
    return bool(parts.hostname)


# Names that never reach a reader's machine from the public internet.
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan")


def unreachable_host(url: str) -> str | None:
    """Why readers of a published site cannot follow ``url``, or None.

    A link to ``http://127.0.0.1:8765/...`` (a feed served locally while
    ingesting) or to an intranet address works on the curator's machine and is
    broken for everyone else. Judged on the spelling only, never by a DNS
    lookup (the reader must not touch the network, and a public name is the
    reader's own business): names such as ``localhost`` and ``*.local``, and IP
    literals in every notation a browser accepts (``127.1``, ``0x7f.0.0.1``,
    ``2130706433``, ``[::ffff:127.0.0.1]``) that are not global addresses."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES):
        return f"points to {host}, a name only this machine or network knows"
    address = _ip_literal(host)
    if address is None:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    judged = mapped or address
    if judged.is_global and not judged.is_multicast:
        return None
    kind = (
        "a loopback address"
        if judged.is_loopback
        else "an unspecified address"
        if judged.is_unspecified
        else "a link-local address"
        if judged.is_link_local
        else "a private address"
        if judged.is_private
        else "not a public address"
    )
    return f"points to {host}, {kind} readers cannot reach"


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host written as an IP literal stands for, as browsers read
    it (``inet_aton`` accepts the short, octal, hex and integer IPv4 forms)."""
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        pass
    if not re.fullmatch(r"[0-9a-fx.]+", host) or not re.match(r"^(0x)?[0-9]", host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_mailto(url: str) -> bool:
    """A ``mailto:`` address (however its scheme is spelled), without control
    characters: a contact address cannot run anything."""
    if not isinstance(url, str) or CONTROL_CHARS.search(url):
        return False
    return scheme_of(url) == "mailto"


def join_url(base: str, reference: str) -> str | None:
    """``reference`` resolved against ``base``, or None when either cannot be
    read as a URL (``urljoin`` raises for "http://[x" and the like): pages and
    servers supply both."""
    try:
        return urljoin(base, reference)
    except ValueError:
        return None


def is_absolute_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace."""
    return (
        isinstance(url, str)
        and not re.search(r"\s", url)
        and scheme_of(url) in SAFE_SCHEMES
        and is_safe_url(url, allow_relative=False)
    )


# Query parameters that say how a reader arrived, never which document it is:
# campaign tags (utm_*), click ids of ad and social networks, mailing-list ids
# and "ref"-style referrer markers. Removing them makes one article one URL.
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "hsa_")
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ocid",
        "smid",
        "sr_share",
        "spm",
    }
)


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only records how a reader got there."""
    key = name.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _clean_query(query: str) -> str:
    """The query without tracking parameters, otherwise byte for byte as given.

    Only whole ``name=value`` pairs are dropped; order and encoding are kept so
    that a URL without trackers normalises exactly as it always did (item ids
    are hashes of the normalised URL and must never change).
    """
    if not query:
        return ""
    kept = [
        pair
        for pair in query.split("&")
        if not pair or not is_tracking_param(unquote_plus(pair.split("=", 1)[0]))
    ]
    return "&".join(kept)


def clean_url(url: str) -> str:
    """The address to write in ``source_url``: same document, no tracking noise.

    Lower-cases scheme and host, drops default ports (80 for http, 443 for
    https), tracking parameters and the fragment; the path and the remaining
    query are kept as published, because servers may treat them case-sensitively.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(scheme)
    if parts.port and parts.port != default:
        host += f":{parts.port}"
    if parts.username or parts.password:
        host = parts.netloc.rsplit("@", 1)[0] + "@" + host
    return urlunsplit((scheme, host, parts.path or "/", _clean_query(parts.query), ""))


def normalise_url(url: str) -> str:
    """A canonical spelling used to spot two items about the same original.

    Scheme and host are case-insensitive, a trailing slash and the fragment do not
    change the document, and ``www.`` rarely does; default ports and tracking
    parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_eid``, ``ref``, ... see
    ``TRACKING_PARAMS``) only say how a reader arrived. Item ids are hashes of
    this spelling, so cleaning an item's ``source_url`` later keeps its id; a URL
    without trackers normalises exactly as it did before trackers were dropped.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host += f":{parts.port}"
    path = parts.path.rstrip("/") or "/"
    query = _clean_query(parts.query)
    return f"{host}{path}?{query}" if query else f"{host}{path}"


def host_of(url: str) -> str | None:
    """The host of ``url`` without ``www.``, or None when it has none (or is
    not a URL at all): how imports tell one outlet's addresses from another's."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
