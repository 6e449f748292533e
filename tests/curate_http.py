"""A real HTTP server on 127.0.0.1 for the curator import tests.

Routes map a path to a response: status, headers, body, an optional delay per
chunk (a slow server) and a conditional-request rule (304 when the client
sends the ETag or Last-Modified it was given). Every request's headers are
recorded so tests can check the User-Agent and conditional headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "curate"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    drip: float = 0.0  # seconds between one-byte writes: a slow server
    etag: str | None = None
    last_modified: str | None = None
    send_length: bool = True


@dataclass
class Server:
    base: str
    routes: dict[str, Route]
    requests: list[tuple[str, dict[str, str]]]

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, **kwargs) -> str:
        self.routes[path] = Route(**kwargs)
        return self.url(path)

    def page(self, path: str, fixture: str, **kwargs) -> str:
        return self.add(path, body=(FIXTURES / fixture).read_bytes(), **kwargs)

    def headers_for(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            path = self.path
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.requests.append((path.split("?")[0], headers))
            route = server.routes.get(path.split("?")[0])
            if route is None:
                self.send_response(404, "Not Found")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if (route.etag and headers.get("if-none-match") == route.etag) or (
                route.last_modified
                and headers.get("if-modified-since") == route.last_modified
            ):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)
            for key, value in route.headers.items():
                self.send_header(key, value)
            if route.send_length:
                self.send_header("Content-Length", str(len(route.body)))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            try:
                if route.drip:
                    for byte in route.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A fresh server per test on a free port of 127.0.0.1."""
    state = Server("", {}, [])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
