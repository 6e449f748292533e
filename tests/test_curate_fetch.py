"""Fetching over real HTTP on 127.0.0.1: limits, redirects, errors, 304s."""

from __future__ import annotations

import socket

import pytest

from newsdigest.curate.fetch import HTML_TYPES, USER_AGENT, FetchError, fetch

PAGE = b"<html><head><title>A page</title></head><body><p>Hello.</p></body></html>"


def test_page_is_fetched_with_a_proper_user_agent(http_server):
    url = http_server.add("/a", body=PAGE)
    fetched = fetch(url, accept=HTML_TYPES)
    assert fetched.status == 200 and fetched.body == PAGE
    assert fetched.content_type == "text/html"
    (headers,) = http_server.headers_for("/a")
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsdigest/")


def test_redirects_are_followed_to_the_final_url(http_server):
    http_server.add("/final", body=PAGE)
    http_server.add("/moved", status=301, headers={"Location": "/final"})
    start = http_server.add("/start", status=302, headers={"Location": "/moved"})
    fetched = fetch(start)
    assert fetched.url == http_server.url("/final") and fetched.body == PAGE


def test_redirect_loops_stop_at_the_cap(http_server):
    http_server.add("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(http_server.url("/loop"), max_redirects=2)
    assert len(http_server.headers_for("/loop")) == 3


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)"]
)
def test_redirect_to_another_scheme_is_refused(http_server, location):
    url = http_server.add("/evil", status=302, headers={"Location": location})
    with pytest.raises(FetchError, match="not an http"):
        fetch(url)


def test_http_error_names_url_and_status(http_server):
    url = http_server.url("/missing")
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert str(error.value) == f"{url}: HTTP 404 Not Found"


def test_non_html_is_refused_before_reading(http_server):
    url = http_server.add(
        "/doc.pdf", body=b"%PDF-1.7" * 10, content_type="application/pdf"
    )
    with pytest.raises(FetchError, match="is application/pdf, not a web page"):
        fetch(url, accept=HTML_TYPES)


def test_huge_page_refused_by_content_length(http_server):
    url = http_server.add("/huge", body=b"x" * 5000)
    with pytest.raises(FetchError, match="is 5,000 bytes; the limit is 1,000"):
        fetch(url, max_bytes=1000)


def test_huge_page_refused_while_reading_without_content_length(http_server):
    url = http_server.add("/huge", body=b"x" * 5000, send_length=False)
    with pytest.raises(FetchError, match="larger than the limit of 1,000 bytes"):
        fetch(url, max_bytes=1000)


def test_slow_server_times_out(http_server):
    url = http_server.add("/slow", body=PAGE, drip=0.05)  # ~4 s for the whole page
    with pytest.raises(FetchError, match=r"timed out after 0\.5 s"):
        fetch(url, timeout=0.5)


def test_network_failure_is_one_line():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/x"  # nothing listens there any more
    with pytest.raises(FetchError) as error:
        fetch(url)
    assert str(error.value) == f"{url}: network error (connection refused)"


def test_only_http_urls_are_fetched():
    with pytest.raises(FetchError, match="not an http"):
        fetch("file:///etc/passwd")


def test_conditional_request_gets_304(http_server):
    url = http_server.add(
        "/feed",
        body=b"<rss/>",
        etag='"v1"',
        last_modified="Thu, 13 Jan 2022 10:00:00 GMT",
    )
    first = fetch(url)
    assert first.headers["etag"] == '"v1"'
    again = fetch(url, etag='"v1"')
    assert again.not_modified and again.body == b""
    by_date = fetch(url, last_modified="Thu, 13 Jan 2022 10:00:00 GMT")
    assert by_date.not_modified
    assert http_server.headers_for("/feed")[1]["if-none-match"] == '"v1"'
