"""`newsdigest send-edition` and `newsdigest edition next`, against real servers.

An aiosmtpd server on 127.0.0.1 receives what the command sends; the test
parses what arrived with Python's email package.
"""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from pelican.settings import DEFAULT_CONFIG

from newsdigest.cli import cli
from newsdigest.edition_cli import published_items
from tests.helpers import TOPICS, item

pytestmark = pytest.mark.slow


class Inbox:
    """aiosmtpd handler keeping every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def authenticator(user: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (user, password)
        return AuthResult(success=ok, handled=False)

    return check


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Yield (port, inbox); the server requires a login: editor / s3cret."""
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator("editor", "s3cret"),
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project with two weekly editions, built once; settings point at SMTP
    through a file the tests rewrite per server port."""
    from tests.helpers import copy_project

    project = copy_project(tmp_path_factory.mktemp("send"), False)
    project.write(
        "content/items/a.md", item(title="Alpha", date="2022-01-04T10:00:00+00:00")
    )
    project.write(
        "content/items/b.md",
        item(
            title="Beta",
            date="2022-01-12T10:00:00+00:00",
            source_url="https://example.com/b",
        ),
    )
    result = project.build()
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def settings_for(project, port: int, **extra) -> str:
    config = {
        "period": "weekly",
        "email_from": "Digest <editions@digest.example.org>",
        "unsubscribe_url": "https://digest.example.org/unsubscribe/",
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "smtp_user": "editor",
        "smtp_password_env": "TEST_SMTP_PASSWORD",
        **extra,
    }
    project.write(
        "send.py", f"from pelicanconf import *\nDIGEST_EDITIONS = {config!r}\n"
    )
    return "send.py"


def run(project, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli,
        [*args, "--project", str(project.root)],
        env=env or {},
        catch_exceptions=False,
    )


def test_send_edition_delivers_one_multipart_message_to_the_list(
    built, smtp_server
) -> None:
    port, inbox = smtp_server
    settings = settings_for(built, port)
    result = run(
        built,
        "send-edition",
        "2022-W02",
        "--to",
        "ana@example.org",
        "--to",
        "Bo <bo@example.org>",
        "-s",
        settings,
        env={"TEST_SMTP_PASSWORD": "s3cret"},
    )
    assert result.exit_code == 0, result.output
    assert "2022-W02: sent" in result.output
    assert "to 2 recipient(s) via 127.0.0.1" in result.output
    [envelope] = inbox.envelopes
    assert envelope.rcpt_tos == ["ana@example.org", "bo@example.org"]
    assert envelope.mail_from == "editions@digest.example.org"
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "The Sample Digest No. 2: Week 2, 2022"
    assert message["To"] == "undisclosed-recipients:;"  # addresses stay private
    assert message["List-Unsubscribe"] == (
        "<mailto:editions@digest.example.org?subject=unsubscribe>"
    )
    assert message["Date"] and message["Message-ID"]
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "http://127.0.0.1:8000/2022/01/beta/" in html
    assert "Beta" in text and "Alpha" not in text


def test_dry_run_sends_nothing_and_says_what_it_would(built, smtp_server) -> None:
    port, inbox = smtp_server
    settings = settings_for(built, port)
    result = run(
        built,
        "send-edition",
        "2022-W01",
        "--to",
        "ana@example.org",
        "--dry-run",
        "-s",
        settings,
        env={"TEST_SMTP_PASSWORD": "s3cret"},
    )
    assert result.exit_code == 0, result.output
    assert "would send" in result.output and "No. 1" in result.output
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ["2022-W01"],
            {"TEST_SMTP_PASSWORD": "wrong"},
            "refused the login for 'editor'",
        ),
        (["2022-W01"], {}, "$TEST_SMTP_PASSWORD is empty"),
        (["2022-W09"], {"TEST_SMTP_PASSWORD": "s3cret"}, "No built edition 2022-W09"),
        (["../../etc"], {"TEST_SMTP_PASSWORD": "s3cret"}, "is not a weekly edition id"),
    ],
)
def test_failures_are_one_line_errors(built, smtp_server, args, env, expected) -> None:
    port, inbox = smtp_server
    settings = settings_for(built, port)
    result = run(
        built, "send-edition", *args, "--to", "ana@example.org", "-s", settings, env=env
    )
    assert result.exit_code == 1
    assert expected in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert inbox.envelopes == []


def test_connection_refused_is_one_line(built) -> None:
    settings = settings_for(built, free_port())  # nothing listens there
    result = run(
        built,
        "send-edition",
        "2022-W01",
        "--to",
        "ana@example.org",
        "-s",
        settings,
        env={"TEST_SMTP_PASSWORD": "s3cret"},
    )
    assert result.exit_code == 1
    assert "connection refused" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_starttls_required_but_not_offered_is_refused(built, smtp_server) -> None:
    port, inbox = smtp_server
    settings = settings_for(built, port, smtp_starttls=True)
    result = run(
        built,
        "send-edition",
        "2022-W01",
        "--to",
        "ana@example.org",
        "-s",
        settings,
        env={"TEST_SMTP_PASSWORD": "s3cret"},
    )
    assert result.exit_code == 1
    assert "does not offer STARTTLS" in result.output
    assert inbox.envelopes == []


@pytest.mark.parametrize(
    "address", ["not-an-address", "a@example.org\r\nBcc: x@evil.example", "-oQ@x"]
)
def test_bad_recipients_are_refused(built, address) -> None:
    settings = settings_for(built, free_port())
    result = run(built, "send-edition", "2022-W01", "--to", address, "-s", settings)
    assert result.exit_code == 1
    assert "is not an email address" in result.output


def test_edition_next_writes_the_note_once(make_project) -> None:
    project = make_project()
    project.write(
        "content/items/a.md", item(title="Alpha", date="2022-01-04T10:00:00+00:00")
    )
    project.write(
        "content/items/b.md",
        item(
            title="Beta", date="2022-01-12T10:00:00+00:00", source_url="https://e.org/b"
        ),
    )
    project.write(
        "content/items/c.md",
        item(
            title="Gamma draft",
            date="2022-01-13T10:00:00+00:00",
            source_url="https://e.org/c",
            status="draft",
        ),
    )
    result = run(project, "edition", "next", "--date", "2022-01-14")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "wrote content/editions/2022-W02.md: No. 2, 10 January 2022 \u2013 "
        "16 January 2022, 1 item(s) since No. 1 listed to pick highlights from."
    )
    note = (project.content / "editions" / "2022-W02.md").read_text()
    assert "number: 2\n" in note
    assert "beta: Beta" in note and "gamma" not in note.lower()
    again = run(project, "edition", "next", "--date", "2022-01-14")
    assert again.exit_code == 1
    assert "already exists; newsdigest never overwrites a note" in again.output
    assert (project.content / "editions" / "2022-W02.md").read_text() == note
    # the note it wrote builds, with its pinned number
    build = project.build()
    assert build.returncode == 0, build.stdout + build.stderr
    assert "Edition No. 2" in project.page("editions/2022-W02/index.html")


def test_edition_next_refuses_when_editions_are_off(make_project) -> None:
    project = make_project()
    project.write(
        "off.py", "from pelicanconf import *\nDIGEST_EDITIONS = {'period': 'off'}\n"
    )
    result = run(project, "edition", "next", "-s", "off.py")
    assert result.exit_code == 1
    assert "Editions are off" in result.output


def test_commands_have_help() -> None:
    for args in (["send-edition", "--help"], ["edition", "next", "--help"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0 and len(result.output) > 200


LONG_TITLE = " ".join(["Harbour"] * 30)  # 239 characters: its slug is cut


def test_slugs_are_the_readers_also_for_long_titles(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "topics.yml").write_text(TOPICS)
    (tmp_path / "items" / "a.md").write_text(item(title=LONG_TITLE))
    (record,) = published_items(content_settings_for(tmp_path), "editions")
    assert record.slug == "-".join(["harbour"] * 18)  # cut at 150 bytes, on a word
    assert len(record.slug.encode()) <= 150


def test_items_with_the_sites_own_labels_are_listed(tmp_path):
    (tmp_path / "items").mkdir()
    (tmp_path / "topics.yml").write_text(TOPICS)
    (tmp_path / "items" / "a.md").write_text(item(title="A", label="fact-check"))
    labels = {
        "news": {"name": "News", "description": "Reporting."},
        "fact-check": {"name": "Fact check", "description": "Claims checked."},
    }
    records = published_items(content_settings_for(tmp_path, labels=labels), "editions")
    assert [r.slug for r in records] == ["a"]


def content_settings_for(root, **content):
    return {
        **DEFAULT_CONFIG,
        "PATH": str(root),
        "TIMEZONE": "UTC",
        "ARTICLE_PATHS": ["items"],
        "PAGE_PATHS": ["pages"],
        "DIGEST_CONTENT": {"id_authority": "digest.example.org,2026", **content},
    }
