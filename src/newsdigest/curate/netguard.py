"""Which network addresses ``add`` and ``ingest`` may connect to (SSRF guard).

A page or a feed names a URL, and a redirect names another: without a guard,
``newsdigest add http://169.254.169.254/...`` on a curator's laptop or a CI
runner would read the cloud metadata service (credentials) into a draft that
gets published, and a feed could redirect to an admin UI on the intranet.

The check is on the address actually connected to, never on the spelling of
the host: the connection resolves the host once (``getaddrinfo``, exactly as
urllib3 would), judges every address it got, and connects to the judged
address itself, so DNS rebinding (a public answer to a first lookup and
127.0.0.1 to a second) has no second lookup to exploit, and every notation
the resolver accepts (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``,
``0``, ``[::ffff:127.0.0.1]``, ``fe80::1%eth0``, ``localhost``, a name in
/etc/hosts) is judged as the address it becomes. Python's ``is_global`` is the
base; where it calls an address global although it is not reachable as such
(multicast, IPv4-mapped and -compatible IPv6, 6to4 and NAT64 carrying a private
IPv4 address, the deprecated site-local fec0::/10) the address is refused too.
TLS still verifies the certificate for the host name, and SNI and the Host
header still carry it: only the socket is pinned to the judged address.

Requests' environment (``HTTP(S)_PROXY``, ``NO_PROXY``, ``.netrc``,
``REQUESTS_CA_BUNDLE``) is ignored: through a proxy the address connected to
would be the proxy's, and the target could not be judged at all.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError
from urllib3.util.connection import allowed_gai_family

IPAddress = IPv4Address | IPv6Address
NOT_PUBLIC = "not on the public internet"
#: Says why an address must not be connected to, or None when it may be.
AddressPolicy = Callable[[IPAddress], str | None]

SHARED = IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
BROADCAST = IPv4Address("255.255.255.255")
#: IPv6 forms that carry an IPv4 address in their low 32 bits: compatible
#: (::a.b.c.d), mapped (::ffff:a.b.c.d) and translated (::ffff:0:a.b.c.d).
IPV4_IN_IPV6 = (
    IPv6Network("::/96"),
    IPv6Network("::ffff:0:0/96"),
    IPv6Network("::ffff:0:0:0/96"),
)
NAT64 = IPv6Network("64:ff9b::/96")  # the well-known NAT64 prefix (RFC 6052)
#: Cloud metadata services outside the link-local ranges (AWS over IPv6,
#: Alibaba, Oracle): always refused, even with the private-network opt-in.
METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)


class BlockedAddress(Exception):
    """A connection refused by the policy. Not an ``OSError``, so neither
    urllib3 nor requests retries it or rewraps it as a network error."""

    def __init__(self, host: str, address: str, why: str) -> None:
        super().__init__(f"{host} ({address}): {why}")
        self.host = host
        self.address = address
        self.why = why


def _kind(ip: IPAddress) -> str | None:
    """What sort of non-public address ``ip`` is, or None if it is public."""
    if ip in METADATA:  # 192.0.0.192 is global to Python
        return "a cloud metadata service"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if ip.is_multicast:
        return "a multicast address"
    if ip == BROADCAST:
        return "the broadcast address"
    if ip in SHARED:
        return "a carrier-grade NAT address (100.64.0.0/10)"
    if isinstance(ip, IPv6Address) and ip.is_site_local:
        return "a site-local address"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:  # RFC 1918, unique local, documentation, benchmarking...
        return "a private or special-purpose address"
    return None


def _embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, compatible, translated,
    6to4, Teredo client, NAT64), or None. ``::`` and ``::1`` carry none."""
    if ip.is_unspecified or ip.is_loopback:
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64 or any(ip in net for net in IPV4_IN_IPV6):
        return IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def public_only(ip: IPAddress) -> str | None:
    """The default: only globally routable unicast addresses."""
    if isinstance(ip, IPv6Address):
        if ip.scope_id:
            return f"a scoped (link-local) IPv6 address, {NOT_PUBLIC}"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            if any(ip in net for net in IPV4_IN_IPV6):
                return f"an IPv4-mapped IPv6 address (of {inner}), {NOT_PUBLIC}"
            why = public_only(inner)
            if why:
                return f"an IPv6 address carrying {inner}, {why}"
            if ip in NAT64:  # how an IPv6-only network reaches a public IPv4 host
                return None
    why = _kind(ip)
    return f"{why}, {NOT_PUBLIC}" if why else None


def private_network(ip: IPAddress) -> str | None:
    """The opt-in (``--allow-private-network``, ``allow_private_network: true``):
    private, loopback, CGNAT and unique-local addresses are allowed; link-local
    (cloud metadata), known metadata services, multicast, broadcast and the
    unspecified address never are, as no feed is served there."""
    if isinstance(ip, IPv6Address):
        if ip.scope_id:
            return "a scoped (link-local) IPv6 address, never fetched"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            why = private_network(inner)
            return f"an IPv6 address carrying {inner}, {why}" if why else None
    if (
        ip in METADATA
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip == BROADCAST
    ):
        return f"{_kind(ip)}, never fetched"
    return None


def resolve(host: str, port: int, policy: AddressPolicy) -> list[str]:
    """Every address ``host`` resolves to, if the policy allows them all.

    One refused address refuses the host: a name that also points inside the
    network is not a public site. Raises ``socket.gaierror`` or ``BlockedAddress``.
    """
    name = host.strip("[]")  # as urllib3 does for IPv6 literals
    addresses: list[str] = []
    for *_, sockaddr in socket.getaddrinfo(
        name, port, allowed_gai_family(), socket.SOCK_STREAM
    ):
        text = str(sockaddr[0])
        if len(sockaddr) == 4 and sockaddr[3] and "%" not in text:
            text += f"%{sockaddr[3]}"  # keep the scope of an IPv6 address
        ip = ipaddress.ip_address(text)
        why = policy(ip)
        if why:
            raise BlockedAddress(host, text, why)
        if text not in addresses:
            addresses.append(text)
    return addresses


class _PinnedConnection(HTTPConnection):
    """Connects only to the addresses its policy allowed for the host.

    urllib3 resolves ``_dns_host`` itself; here it is resolved and judged
    once, then set to each allowed address in turn for the connect, so urllib3
    connects to a literal address (no second lookup) while ``host`` (SNI, the
    certificate check, the Host header) is the name again once connected.
    """

    def __init__(self, *args: Any, policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.policy = policy

    def _new_conn(self) -> socket.socket:
        try:
            addresses = resolve(self._dns_host, self.port, self.policy)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        *first, last = addresses  # getaddrinfo answers at least one, or raises
        for address in first:
            with contextlib.suppress(ConnectTimeoutError):  # NewConnectionError too
                return self._connect_to(address)
        return self._connect_to(last)

    def _connect_to(self, address: str) -> socket.socket:
        name = self._dns_host
        self._dns_host = address
        try:
            return super()._new_conn()
        finally:
            self._dns_host = name


class _PinnedHTTPSConnection(_PinnedConnection, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedPoolManager(PoolManager):
    """A pool manager whose every connection carries the policy."""

    def __init__(self, policy: AddressPolicy, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.policy = policy
        self.pool_classes_by_scheme = {
            "http": _PinnedHTTPPool,
            "https": _PinnedHTTPSPool,
        }

    def _new_pool(
        self,
        scheme: str,
        host: str,
        port: int,
        request_context: dict[str, Any] | None = None,
    ) -> HTTPConnectionPool:
        pool = super()._new_pool(scheme, host, port, request_context)
        # Passed to every connection the pool makes; a connection without
        # it cannot be built (``policy`` is a required argument).
        pool.conn_kw["policy"] = self.policy
        return pool


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy  # read by init_poolmanager, which __init__ calls
        super().__init__()

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager = _PinnedPoolManager(
            self.policy,
            num_pools=connections,
            maxsize=maxsize,
            block=block,
            **pool_kwargs,
        )


class _Session(requests.Session):
    def get_redirect_target(self, resp: requests.Response) -> str | None:
        """The Location, as requests reads it; one that is not UTF-8 stays as
        http.client decoded it (Latin-1) instead of raising UnicodeDecodeError
        out of ``send()``, which requests calls even without following."""
        try:
            return super().get_redirect_target(resp)
        except UnicodeDecodeError:
            return resp.headers["location"]


def guarded_session(policy: AddressPolicy = public_only) -> requests.Session:
    """A requests session that connects only where ``policy`` allows, and
    ignores proxies and credentials from the environment."""
    session = _Session()
    session.trust_env = False
    adapter = _PinnedAdapter(policy)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
