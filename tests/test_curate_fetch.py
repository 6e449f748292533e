"""Fetching over real HTTP on 127.0.0.1: limits, redirects, errors, 304s, and
the address guard (the servers are private, so most tests pass the opt-in)."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from newsdigest.curate.fetch import (
    HTML_TYPES,
    USER_AGENT,
    AddressRefused,
    FetchError,
    fetch,
)
from newsdigest.curate.netguard import AddressPolicy, private_network, public_only
from tests.helpers import RouteServer, serve_routes

PAGE = b"<html><head><title>A page</title></head><body><p>Hello.</p></body></html>"


@pytest.mark.slow
def test_page_is_fetched_with_a_proper_user_agent(http_server):
    url = http_server.add("/a", body=PAGE)
    fetched = fetch(url, accept=HTML_TYPES, policy=private_network)
    assert fetched.status == 200 and fetched.body == PAGE
    assert fetched.content_type == "text/html"
    (headers,) = http_server.headers_for("/a")
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsdigest/")


@pytest.mark.slow
def test_redirects_are_followed_to_the_final_url(http_server):
    http_server.add("/final", body=PAGE)
    http_server.add("/moved", status=301, headers={"Location": "/final"})
    start = http_server.add("/start", status=302, headers={"Location": "/moved"})
    fetched = fetch(start, policy=private_network)
    assert fetched.url == http_server.url("/final") and fetched.body == PAGE


@pytest.mark.slow
def test_redirect_loops_stop_at_the_cap(http_server):
    http_server.add("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(http_server.url("/loop"), max_redirects=2, policy=private_network)
    assert len(http_server.headers_for("/loop")) == 3


@pytest.mark.slow
@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)"]
)
def test_redirect_to_another_scheme_is_refused(http_server, location):
    url = http_server.add("/evil", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="not an http"):
        fetch(url, policy=private_network)


@pytest.mark.slow
def test_http_error_names_url_and_status(http_server):
    url = http_server.url("/missing")
    with pytest.raises(FetchError) as error:
        fetch(url, policy=private_network)
    assert str(error.value) == f"{url}: HTTP 404 Not Found"


@pytest.mark.slow
def test_non_html_is_refused_before_reading(http_server):
    url = http_server.add(
        "/doc.pdf", body=b"%PDF-1.7" * 10, content_type="application/pdf"
    )
    with pytest.raises(FetchError, match="is application/pdf, not a web page"):
        fetch(url, accept=HTML_TYPES, policy=private_network)


@pytest.mark.slow
def test_huge_page_refused_by_content_length(http_server):
    url = http_server.add("/huge", body=b"x" * 5000)
    with pytest.raises(FetchError, match="is 5,000 bytes; the limit is 1,000"):
        fetch(url, max_bytes=1000, policy=private_network)


@pytest.mark.slow
def test_huge_page_refused_while_reading_without_content_length(http_server):
    url = http_server.add("/huge", body=b"x" * 5000, send_length=False)
    with pytest.raises(FetchError, match="larger than the limit of 1,000 bytes"):
        fetch(url, max_bytes=1000, policy=private_network)


@pytest.mark.slow
def test_slow_server_times_out(http_server):
    url = http_server.add("/slow", body=PAGE, drip=0.05)  # ~4 s for the whole page
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch(url, timeout=0.5, policy=private_network)


def test_network_failure_is_one_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"  # nothing listens there any more
    with pytest.raises(FetchError) as error:
        fetch(url, policy=private_network)
    assert str(error.value) == f"{url}: network error (connection refused)"


def test_only_http_urls_are_fetched():
    with pytest.raises(FetchError, match="not an http"):
        fetch("file:///etc/passwd")


@pytest.mark.slow
def test_conditional_request_gets_304(http_server):
    url = http_server.add(
        "/feed",
        body=b"<rss/>",
        etag='"v1"',
        last_modified="Thu, 13 Jan 2022 10:00:00 GMT",
    )
    first = fetch(url, policy=private_network)
    assert first.headers["etag"] == '"v1"'
    again = fetch(url, etag='"v1"', policy=private_network)
    assert again.not_modified and again.body == b""
    by_date = fetch(
        url, last_modified="Thu, 13 Jan 2022 10:00:00 GMT", policy=private_network
    )
    assert by_date.not_modified
    assert http_server.headers_for("/feed")[1]["if-none-match"] == '"v1"'


# --- the address guard (SSRF): the address connected to, at every hop ---------


def loopback_pair() -> tuple[RouteServer, RouteServer, contextlib.ExitStack]:
    """Route servers on 127.0.0.1 and 127.0.0.2 (also loopback on Linux), in that
    order, sharing one port: one URL reaches either, by what its name resolves to."""
    for _attempt in range(20):
        stack = contextlib.ExitStack()
        second = stack.enter_context(serve_routes("127.0.0.2"))
        port = int(second.base.rsplit(":", 1)[1])
        try:
            first = stack.enter_context(serve_routes("127.0.0.1", port))
        except OSError:  # that port is taken on 127.0.0.1: try another
            stack.close()
            continue
        return first, second, stack
    raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")


def only(*allowed: str) -> AddressPolicy:
    """A policy that allows exactly ``allowed`` (stand-ins for public hosts)."""
    return lambda ip: None if str(ip) in allowed else "not one of the test's hosts"


@pytest.mark.slow
@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "2130706433",
        "0x7f.1",
        "127.1",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "0x7f000001",
    ],
)
def test_loopback_is_refused_by_default_in_every_notation(http_server, host):
    http_server.add("/admin", body=b"secret")
    port = http_server.base.rsplit(":", 1)[1]
    url = f"http://{host}:{port}/admin"
    with pytest.raises(AddressRefused) as error:
        fetch(url)
    message = str(error.value)
    assert message.startswith(f"{url}: refused to connect to ")
    assert "127.0.0.1" in message and "not on the public internet" in message
    assert message.endswith("to fetch it anyway, pass --allow-private-network")
    assert http_server.requests == []  # not one byte was sent
    assert fetch(url, policy=private_network).body == b"secret"  # the opt-in


@pytest.mark.slow
@pytest.mark.parametrize(
    "location",
    [
        "http://2130706434:{port}/",
        "http://0x7f.0.0.2:{port}/",
        "http://127.0.2:{port}/",
        "http://0177.0.0.02:{port}/",
    ],
)
def test_every_redirect_hop_is_checked_where_it_connects(location):
    first, second, stack = loopback_pair()
    with stack:
        second.add("/", body=b"internal")
        port = int(second.base.rsplit(":", 1)[1])
        start = first.add(
            "/go", status=302, headers={"Location": location.format(port=port)}
        )
        with pytest.raises(AddressRefused) as error:
            fetch(start, policy=only("127.0.0.1"))
        assert str(error.value).startswith(
            f"{start}: redirected to {location.format(port=port)}, refused to "
            "connect to 127.0.0.2"
        )
        assert second.requests == []
        # The control: with 127.0.0.2 allowed the redirect does reach it.
        assert fetch(start, policy=only("127.0.0.1", "127.0.0.2")).body == b"internal"


@pytest.mark.slow
def test_dns_rebinding_cannot_switch_the_address_after_the_check(monkeypatch):
    """The name answers 127.0.0.2 (allowed) once, then 127.0.0.1 (refused): the
    one lookup is judged and is the address connected to; there is no second."""
    internal, public, stack = loopback_pair()
    with stack:
        public.add("/feed", body=b"public")
        internal.add("/feed", body=b"internal")
        port = int(public.base.rsplit(":", 1)[1])
        lookups: list[str] = []
        real = socket.getaddrinfo

        def rebinding(host, *args, **kwargs):
            if host != "rebind.test":
                return real(host, *args, **kwargs)
            lookups.append(host)
            answer = "127.0.0.2" if len(lookups) == 1 else "127.0.0.1"
            return real(answer, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        fetched = fetch(f"http://rebind.test:{port}/feed", policy=only("127.0.0.2"))
        assert fetched.body == b"public" and internal.requests == []
        assert lookups == ["rebind.test"]
        # The Host header still names the host, not the pinned address.
        assert public.headers_for("/feed")[0]["host"] == f"rebind.test:{port}"
        with pytest.raises(
            AddressRefused, match=r"connect to 127\.0\.0\.1 \('rebind\.test'\)"
        ):
            fetch(f"http://rebind.test:{port}/feed", policy=only("127.0.0.2"))
        assert internal.requests == []


@pytest.mark.slow
def test_proxy_settings_in_the_environment_are_ignored(http_server, monkeypatch):
    """A proxy would be the address connected to, and could reach anything."""
    with serve_routes() as proxy:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.base)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        url = http_server.add("/page", body=PAGE)
        assert fetch(url, policy=private_network).body == PAGE
        assert proxy.requests == [] and len(http_server.requests) == 1


@pytest.mark.slow
@pytest.mark.parametrize(
    "userinfo", ["evil@", "user:password@", ":pw@", "@", "trusted.example\\@"]
)
def test_urls_with_user_names_are_refused_at_every_hop(http_server, userinfo):
    target = http_server.base.replace("http://", f"http://{userinfo}") + "/page"
    http_server.add("/page", body=PAGE)
    with pytest.raises(FetchError, match="a URL with a user name or password"):
        fetch(target, policy=private_network)
    start = http_server.add("/go", status=302, headers={"Location": target})
    with pytest.raises(FetchError, match=r"redirected to .*, a URL with a user name"):
        fetch(start, policy=private_network)
    assert http_server.headers_for("/page") == []


@pytest.mark.slow
def test_terminal_escapes_from_a_server_are_shown_escaped(http_server):
    url = http_server.add(
        "/go", status=302, headers={"Location": "gopher://x/\x1b]0;pwned\x07\xc2\x9b"}
    )
    with pytest.raises(FetchError) as error:
        fetch(url, policy=private_network)
    message = str(error.value)
    assert message.isprintable() and "\\u001b]0;pwned\\u0007\\u009b" in message


def test_a_public_looking_name_resolving_inside_is_refused_without_connecting(
    monkeypatch,
):
    """A name whose DNS answer is the metadata service: refused before any SYN."""
    connects: list[object] = []
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))
        ],
    )
    monkeypatch.setattr(socket.socket, "connect", lambda self, a: connects.append(a))
    for policy in (public_only, private_network):
        with pytest.raises(AddressRefused, match=r"169\.254\.169\.254 .*link-local"):
            fetch("http://metadata.news.example/latest/meta-data/", policy=policy)
    assert connects == []


@pytest.mark.slow
def test_a_location_that_is_not_utf8_is_followed_as_latin1(http_server):
    http_server.add("/caf%C3%A9", body=PAGE)  # "é" read as Latin-1, sent as UTF-8
    url = http_server.add("/go", status=302, headers={"Location": "/caf\xe9"})
    assert fetch(url, policy=private_network).body == PAGE


def tls_files(folder: Path, name: str) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for ``name`` it signed: (ca.pem, cert.pem, key.pem)."""

    def key() -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def subject(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = key(), key()

    def certificate(cn: str, public, issuer: str, **extensions) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject(cn))
            .issuer_name(subject(issuer))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
        )
        for extension, critical in extensions.values():
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(ca_key, hashes.SHA256())

    ca = certificate(
        "newsdigest test CA",
        ca_key.public_key(),
        "newsdigest test CA",
        basic=(x509.BasicConstraints(ca=True, path_length=None), True),
        usage=(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        ),
        ski=(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
    )
    leaf = certificate(
        name,
        leaf_key.public_key(),
        "newsdigest test CA",
        san=(x509.SubjectAlternativeName([x509.DNSName(name)]), False),
        aki=(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            False,
        ),
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        leaf_key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.mark.slow
def test_tls_checks_the_host_name_while_the_socket_is_pinned(tmp_path, monkeypatch):
    """SNI, the certificate check and the Host header use the name; only the
    socket goes to the judged address."""
    ca, cert, key = tls_files(tmp_path, "news.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(ca))
    real = socket.getaddrinfo
    names = {"news.test": "127.0.0.1", "other.test": "127.0.0.1"}
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, *a, **k: real(names.get(host, host), *a, **k),
    )
    with serve_routes(tls=context) as server:
        server.add("/p", body=PAGE)
        port = server.base.rsplit(":", 1)[1]
        fetched = fetch(f"https://news.test:{port}/p", policy=private_network)
        assert fetched.body == PAGE and server_names == ["news.test"]
        assert server.headers_for("/p")[0]["host"] == f"news.test:{port}"
        with pytest.raises(FetchError, match="certificate verify failed"):
            fetch(f"https://other.test:{port}/p", policy=private_network)
        assert len(server.headers_for("/p")) == 1
