"""Which addresses ``add`` and ``ingest`` may connect to (newsdigest.curate.netguard).

Tables of addresses and host notations -> refused (with the reason's key words)
or allowed, under the default policy and under the private-network opt-in.
Literal addresses and /etc/hosts names resolve without any network.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from newsdigest.curate.netguard import (
    BlockedAddress,
    private_network,
    public_only,
    resolve,
)

PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "192.0.0.9",  # a globally reachable anycast address inside 192.0.0.0/24
    "2606:4700::1111",
    "2001:4860:4860::8888",
    "2002:808:808::1",  # 6to4 of a public address
    "64:ff9b::808:808",  # NAT64 of a public address (an IPv6-only network)
]

#: address -> words the default policy's reason must contain
NOT_PUBLIC = {
    "127.0.0.1": "loopback",
    "127.0.0.2": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",  # AWS, GCP, Azure metadata
    "169.254.170.2": "link-local",  # ECS task metadata
    "100.64.0.1": "carrier-grade NAT",
    "100.100.100.200": "metadata",  # Alibaba
    "0.0.0.0": "unspecified",
    "0.1.2.3": "private",  # "this network"
    "198.18.0.1": "special-purpose",  # benchmarking
    "192.0.2.1": "special-purpose",  # documentation
    "192.0.0.192": "metadata",  # Oracle metadata; is_global says True
    "224.0.0.1": "multicast",  # is_global says True
    "239.255.255.250": "multicast",
    "240.0.0.1": "reserved",
    "255.255.255.255": "broadcast",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fe80::1%2": "scoped",
    "fc00::1": "special-purpose",  # unique local
    "fd00:ec2::254": "metadata",  # AWS over IPv6
    "fec0::1": "site-local",  # is_global says True
    "ff02::1": "multicast",  # is_global says True
    "ff0e::1": "multicast",
    "2001:db8::1": "special-purpose",
    "::ffff:127.0.0.1": "IPv4-mapped",
    "::ffff:8.8.8.8": "IPv4-mapped",  # is_global says True
    "::127.0.0.1": "IPv4-mapped",  # IPv4-compatible; is_global says True
    "::ffff:0:7f00:1": "IPv4-mapped",  # IPv4-translated
    "2002:7f00:1::": "carrying 127.0.0.1, a loopback",  # 6to4; is_global says True
    "2002:a9fe:a9fe::": "carrying 169.254.169.254",
    "64:ff9b::a00:1": "carrying 10.0.0.1, a private",  # NAT64; is_global says True
    "64:ff9b:1::a00:1": "reserved",  # local-use NAT64 prefix
    "2001:0:4136:e378:8000:63bf:3fff:fdd2": "carrying 192.0.2.45",  # Teredo
    "100::1": "reserved",  # discard-only
    "4000::1": "reserved",  # unassigned
}


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert public_only(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(("address", "words"), NOT_PUBLIC.items())
def test_everything_not_on_the_public_internet_is_refused(address, words):
    why = public_only(ipaddress.ip_address(address))
    assert why is not None and words in why, why


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.10",
        "100.64.1.1",
        "fd12:3456::1",
        "::1",
        "::ffff:10.0.0.1",
        "fec0::1",
        "8.8.8.8",
    ],
)
def test_the_opt_in_allows_private_networks(address):
    assert private_network(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "::ffff:169.254.169.254",
        "2002:a9fe:a9fe::",
        "64:ff9b::a9fe:a9fe",
        "fd00:ec2::254",
        "100.100.100.200",
        "192.0.0.192",
        "fe80::1",
        "fe80::1%2",
        "224.0.0.1",
        "ff02::1",
        "0.0.0.0",
        "::",
        "255.255.255.255",
    ],
)
def test_the_opt_in_still_refuses_metadata_link_local_and_multicast(address):
    why = private_network(ipaddress.ip_address(address))
    assert why is not None and why.endswith("never fetched"), why


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # decimal
        ("0177.0.0.1", "127.0.0.1"),  # octal
        ("0x7f.1", "127.0.0.1"),  # hex, short form
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0177.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("2852039166", "169.254.169.254"),
        ("012.0.0.1", "10.0.0.1"),
        ("localhost", "127.0.0.1"),  # a name in /etc/hosts
        ("LocalHost", "127.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("[::ffff:7f00:1]", "::ffff:127.0.0.1"),
        ("fe80::1%1", "fe80::1%1"),
        ("fe80::1%lo", "fe80::1%1"),  # a scope by interface name
    ],
)
def test_every_notation_is_judged_as_the_address_it_resolves_to(host, address):
    with pytest.raises(BlockedAddress) as blocked:
        resolve(host, 80, public_only)
    assert blocked.value.address == address
    assert blocked.value.host == host


@pytest.mark.parametrize(
    ("host", "addresses"),
    [("8.8.8.8", ["8.8.8.8"]), ("134744072", ["8.8.8.8"]), ("[2606:4700::1]", None)],
)
def test_public_literals_resolve_to_themselves(host, addresses):
    assert resolve(host, 443, public_only) == (addresses or [host.strip("[]")])


def fake_dns(answers: dict[str, list[str]]):
    """A getaddrinfo answering ``answers`` (the public names a test invents)."""

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in answers[host]
        ]

    return getaddrinfo


def test_a_name_with_one_internal_address_among_public_ones_is_refused(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_dns({"news.example": ["93.184.216.34", "10.0.0.7", "2606:2800::1"]}),
    )
    with pytest.raises(BlockedAddress) as blocked:
        resolve("news.example", 443, public_only)
    assert blocked.value.address == "10.0.0.7"
    assert "private" in blocked.value.why


def test_a_public_name_resolves_to_all_its_addresses(monkeypatch):
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_dns({"news.example": ["93.184.216.34", "2606:2800::1", "93.184.216.34"]}),
    )
    assert resolve("news.example", 443, public_only) == [
        "93.184.216.34",
        "2606:2800::1",
    ]
