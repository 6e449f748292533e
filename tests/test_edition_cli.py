"""`newsdigest send-edition` and `newsdigest edition next`, against real servers.

An aiosmtpd server on 127.0.0.1 receives what the command sends; the test
parses what arrived with Python's email package.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import socket
from email import policy
from typing import ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
from click.testing import CliRunner
from pelican.settings import DEFAULT_CONFIG

from newsdigest.cli import cli
from newsdigest.editions.cli import published_items
from newsdigest.editions.model import editions_settings
from newsdigest.editions.newsletter import (
    build_message,
    message_text,
    read_message,
    send_message,
)
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


@contextlib.contextmanager
def serving(handler, authenticate=None, smtp_class=SMTP):
    """Run an aiosmtpd server on 127.0.0.1 with ``handler``; yield its port.
    The server requires a login: editor / s3cret (``authenticate`` replaces
    the check)."""

    class Server(Controller):
        def factory(self):
            return smtp_class(self.handler, **self.SMTP_kwargs)

    controller = Server(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate or authenticator("editor", "s3cret"),
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


@pytest.fixture
def smtp_server():
    """Yield (port, inbox); the server requires a login: editor / s3cret."""
    inbox = Inbox()
    with serving(inbox) as port:
        yield port, inbox


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
    for n, day in enumerate(("2022-01-17", "2022-01-18")):  # next week's
        project.write(
            f"content/items/later-{n}.md",
            item(
                title=f"Later {n}",
                date=f"{day}T10:00:00+00:00",
                source_url=f"https://e.org/later-{n}",
            ),
        )
    result = run(project, "edition", "next", "--date", "2022-01-14")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "wrote content/editions/2022-W02.md: No. 2, 10 January 2022 \u2013 "
        "16 January 2022, 1 item(s) since No. 1 listed to pick highlights from. "
        "2 items dated after this edition are left for the next one."
    )
    note = (project.content / "editions" / "2022-W02.md").read_text()
    assert "number: 2\n" in note
    assert "beta: Beta" in note and "gamma" not in note.lower()
    assert "later" not in note.replace("left for the next one", "").lower()
    assert "\n# 2 items dated after this edition are left for the next one.\n" in note
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


# --- A send that fails part-way: the report says who has it ---------------------

PASSWORD = {"TEST_SMTP_PASSWORD": "s3cret"}


class Picky(Inbox):
    """Refuses some recipients the way real servers do: 550 for good, 450 for now."""

    REPLIES: ClassVar[dict[str, str]] = {
        "bo@example.org": "550 5.1.1 <bo@example.org>: no such user",
        "cy@example.org": "450 4.2.1 mailbox busy, try later",
    }

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.REPLIES:
            return self.REPLIES[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"


class DropsAfterData(Inbox):
    """Takes the whole message, then hangs up without answering."""

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        server.transport.close()
        return "250 OK"


class SlowAfterData(Inbox):
    """Takes the whole message, then answers after the client gave up."""

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        await asyncio.sleep(3)
        return "250 OK"


class RejectsData(Inbox):
    async def handle_DATA(self, server, session, envelope):
        return "451 4.3.0 queue full, try again in an hour"


class RudeQuit(SMTP):
    """Delivers, then answers QUIT with an error."""

    async def smtp_QUIT(self, arg):
        await self.push("554 5.0.0 goodbye yourself")
        self.transport.close()


def send(project, port: int, *to: str, **extra):
    settings = settings_for(project, port, **extra)
    args = [a for address in to for a in ("--to", address)]
    return run(project, "send-edition", "2022-W01", *args, "-s", settings, env=PASSWORD)


def test_partly_refused_recipients_are_named_and_the_rest_reported_sent(
    built,
) -> None:
    inbox = Picky()
    with serving(inbox) as port:
        result = send(
            built, port, "ana@example.org", "bo@example.org", "cy@example.org"
        )
    assert result.exit_code == 1
    assert [e.rcpt_tos for e in inbox.envelopes] == [["ana@example.org"]]
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert "to 1 recipient(s) via 127.0.0.1" in line
    assert ": ana@example.org; NOT sent to bo@example.org (550 5.1.1" in line
    assert "cy@example.org (450 4.2.1 mailbox busy, try later)" in line
    assert "try again later" in line and "--to for those only" in line


def test_every_recipient_refused_says_nothing_was_sent(built) -> None:
    inbox = Picky()
    with serving(inbox) as port:
        result = send(built, port, "bo@example.org", "cy@example.org")
    assert result.exit_code == 1
    assert inbox.envelopes == []
    assert "refused every recipient: bo@example.org (550" in result.output
    assert "Nothing sent" in result.output


@pytest.mark.parametrize(
    ("handler", "extra"),
    [(DropsAfterData(), {}), (SlowAfterData(), {"smtp_timeout": 1})],
    ids=["hangs-up", "times-out"],
)
def test_a_connection_lost_with_the_message_on_its_way_is_not_called_unsent(
    built, handler, extra
) -> None:
    with serving(handler) as port:
        result = send(built, port, "ana@example.org", "bo@example.org", **extra)
    assert len(handler.envelopes) == 1  # the server has it: it may deliver it
    assert result.exit_code == 1
    assert "Nothing sent" not in result.output
    assert "may or may not have been delivered to ana@example.org, bo@example.org" in (
        result.output
    )
    assert "sending again may deliver it twice" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_message_refused_for_now_reached_nobody_and_says_retry(built) -> None:
    with serving(RejectsData()) as port:
        result = send(built, port, "ana@example.org")
    assert result.exit_code == 1
    assert "answered 451 4.3.0 queue full, try again in an hour. Nothing sent." in (
        result.output
    )
    assert "try again later" in result.output


def test_an_error_after_delivery_is_not_reported_as_a_failure(built) -> None:
    inbox = Inbox()
    with serving(inbox, smtp_class=RudeQuit) as port:
        result = send(built, port, "ana@example.org")
    assert len(inbox.envelopes) == 1
    assert result.exit_code == 0, result.output
    assert "2022-W01: sent" in result.output


def test_the_password_never_appears_even_when_the_server_echoes_it(built) -> None:
    def echo(server, session, envelope, mechanism, auth_data):
        password = auth_data.password.decode()
        return AuthResult(
            success=False, handled=False, message=f"535 5.7.8 bad password {password}"
        )

    with serving(Inbox(), authenticate=echo) as port:
        result = send(built, port, "ana@example.org")
    assert result.exit_code == 1
    assert "refused the login for 'editor'" in result.output
    assert "bad password ********" in result.output
    assert "s3cret" not in result.output


# --- What arrives is what was built: headers, recipients, body ---------------------


def test_hostile_recipient_lists_are_refused_not_cut(built) -> None:
    """Each --to is one address; anything a parser would have to guess at is
    refused, never silently trimmed to its first address."""
    inbox = Inbox()
    with serving(inbox) as port:
        for address in (
            "ana@example.org, eve@evil.example",
            "ana@example.org;eve@evil.example",
            "<ana@example.org> <eve@evil.example>",
            "friends: eve@evil.example;",
            "=?utf-8?q?eve=40evil.example?= <ana@example.org>",
            "ana@exa\x00mple.org",
            "ana@example.org\x85Bcc: eve@evil.example",
            "ana@example.org\u2028Bcc: eve@evil.example",
            "jö@example.org",
            "ana@[127.0.0.1]",
        ):
            result = send(built, port, address)
            assert result.exit_code == 1, address
            assert "is not an email address" in result.output, address
    assert inbox.envelopes == []


EML_TAMPERING = [
    ("Bcc: eve@evil.example\n", "'bcc' header a build never writes"),
    ("Cc: eve@evil.example\n", "'cc' header a build never writes"),
    ("Reply-To: eve@evil.example\nReply-To: x@evil.example\n", "twice"),
    ("From: Eve <eve@evil.example>\n", "'from' header a build never writes twice"),
    ("X-Smuggled: yes\n", "'x-smuggled' header"),
]


@pytest.mark.parametrize(("lines", "expected"), EML_TAMPERING)
def test_an_email_eml_with_extra_headers_is_not_sent(
    built, tmp_path, lines, expected
) -> None:
    """What an old build wrote for SITENAME "=?utf-8?q?a=0D=0ABcc:_eve@evil?="
    (the stdlib decoded the encoded word into a header line), or an edit."""
    original = built.output / "editions" / "2022-W01" / "email.eml"
    tampered = tmp_path / "editions" / "2022-W01" / "email.eml"
    tampered.parent.mkdir(parents=True)
    tampered.write_text(lines + original.read_text())
    inbox = Inbox()
    with serving(inbox) as port:
        settings = settings_for(built, port)
        built.write(
            "tampered.py",
            f"from send import *\nOUTPUT_PATH = {str(tmp_path)!r}\n",
        )
        result = run(
            built,
            "send-edition",
            "2022-W01",
            "--to",
            "ana@example.org",
            "-s",
            "tampered.py",
            env=PASSWORD,
        )
    assert settings == "send.py"
    assert result.exit_code == 1
    assert expected in result.output
    assert "rebuild the site" in result.output
    assert inbox.envelopes == []


def test_odd_but_valid_values_arrive_exactly_as_built(tmp_path) -> None:
    """Display names with commas, quotes, '@' and angle brackets, an
    international domain, SMTP's end-of-data line and bare CRs in the body,
    lines over 998 octets: one message, the intended recipients and headers."""
    text = "Top\n.\nMAIL FROM:<eve@evil.example>\r\n.\r\nRCPT TO:<eve@x>\rend\n"
    text += "y" * 2000 + "\n..\n"
    html = "<p>" + "z" * 3000 + "</p>\n.\n"
    message = build_message(
        subject="Caf\u00e9 \u201cnews\u201d: <b>Bcc: eve@evil.example</b>",
        html=html,
        text=text,
        from_addr='"Digest, <eve@evil.example>" <editions@b\u00fccher.example>',
        reply_to='"Desk @ Digest" <desk@example.org>',
        unsubscribe_url="https://digest.example.org/unsubscribe/?a=1&b=2",
        view_url="https://digest.example.org/editions/2022-W01/",
    )
    eml = tmp_path / "email.eml"
    eml.write_text(message_text(message), encoding="ascii")
    inbox = Inbox()
    with serving(inbox) as port:
        config, _ = editions_settings(
            {"DIGEST_EDITIONS": {"smtp_host": "127.0.0.1", "smtp_port": port}}
        )
        config.update(smtp_starttls=False, smtp_user="editor")
        result = send_message(
            read_message(eml),
            ["ana@example.org", '"Bo, the \\"boss\\"" <bo@example.org>'],
            config,
            edition="2022-W01",
            environ={"NEWSDIGEST_SMTP_PASSWORD": "s3cret"},
        )
    assert result.delivered == ["ana@example.org", "bo@example.org"]
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "editions@xn--bcher-kva.example"
    assert envelope.rcpt_tos == ["ana@example.org", "bo@example.org"]
    got = email.message_from_bytes(envelope.content, policy=policy.default)
    assert [name for name, _ in got.items()] == [
        "Subject",
        "From",
        "Reply-To",
        "List-Unsubscribe",
        "List-Archive",
        "MIME-Version",
        "Content-Type",
        "To",
        "Date",
        "Message-ID",
    ]
    assert got["Subject"] == "Caf\u00e9 \u201cnews\u201d: <b>Bcc: eve@evil.example</b>"
    [sender] = got["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Digest, <eve@evil.example>",
        "editions@xn--bcher-kva.example",
    )
    [desk] = got["Reply-To"].addresses
    assert (desk.display_name, desk.addr_spec) == ("Desk @ Digest", "desk@example.org")
    assert got["To"] == "undisclosed-recipients:;" and got["To"].addresses == ()
    assert got.get_body(("plain",)).get_content().splitlines() == text.splitlines()
    assert got.get_body(("html",)).get_content().splitlines() == html.splitlines()
    assert all(len(line) <= 998 for line in envelope.original_content.splitlines())


def test_a_site_name_hiding_a_header_stops_the_build_naming_sitename(
    make_project,
) -> None:
    """Python 3.11 decoded this SITENAME into "Subject: a" and a "Bcc:" line."""
    project = make_project()
    project.write(
        "content/items/a.md", item(title="Alpha", date="2022-01-04T10:00:00+00:00")
    )
    result = project.build(SITENAME="=?utf-8?q?a=0D=0ABcc:_eve@evil.example?=")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Subject header" in output and "from SITENAME" in output
    assert "Traceback" not in output
    assert not list(project.root.glob("output/editions/*/email.eml"))
