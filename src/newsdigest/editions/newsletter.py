"""An edition as a newsletter: inlined HTML, plain text, a MIME message, SMTP.

Mail clients ignore most of CSS: Gmail drops ``<style>`` in many views, Outlook
renders with Word. So the email template is table-laid-out and its layout CSS
is inlined into ``style`` attributes by css-inline (a maintained inliner, in
Rust); only ``@media`` rules (dark mode, narrow screens) stay in a ``<style>``
block, where clients that understand them find them. Gmail clips messages
over 102 KB, hence the size limit. The ``.eml`` a build writes carries no date
or message id, so builds stay byte-identical; ``send`` adds both when sending.
No Pelican import: the plugin renders, this module shapes and sends.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import smtplib
import socket
import ssl
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import css_inline

from newsdigest.problems import DigestError

logger = logging.getLogger(__name__)

# Long subjects stay on one line (RFC 5322 allows 998): the stdlib's folding at
# 78 moves a whole subject to a continuation line, which some parsers keep
# with a leading space.
SMTP_POLICY = policy.SMTP.clone(max_line_length=998)
FILE_POLICY = policy.default.clone(max_line_length=998)

_INLINER = css_inline.CSSInliner(
    keep_style_tags=False,
    keep_link_tags=False,
    keep_at_rules=True,  # @media stays in one <style>: dark mode, narrow screens
    load_remote_stylesheets=False,
)


def inline_css(html: str) -> str:
    """Move every layout rule of the page's ``<style>`` into style attributes."""
    return _INLINER.inline(html)


# --- Header safety --------------------------------------------------------------
#
# Every header value comes from a setting, a note or the ``.eml`` on disk, so
# every one is hostile. The stdlib only refuses CR and LF when a value is set,
# and Python 3.11 decodes an RFC 2047 encoded word found in plain text and
# writes the CR LF it holds back out unencoded: "=?utf-8?q?a=0D=0ABcc:_x?=" in
# SITENAME became a ``Bcc:`` line. So values are checked here, and every
# message is parsed back after it is serialised (``serialised_problem``): what
# a mail program reads must be exactly what was meant, whatever the stdlib's
# folding does with the next payload.

#: Control characters, surrogates, line and paragraph separators, bidi overrides
#: (a From name that reads backwards): never in a header.
_UNSAFE_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: With the header's name, one line under RFC 5322's 998-octet limit.
MAX_HEADER_CHARS = 900
_DOT_ATOM = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
)
_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
ADDRESS_FIX = (
    "write one address on one line, 'Name <user@example.org>' or "
    "'user@example.org', without control characters or '=?'."
)
#: Where each header of a built message comes from, for the error's "Fix:".
HEADER_SOURCES = {
    "Subject": "SITENAME and the edition's title (its note's 'title:')",
    "From": "DIGEST_EDITIONS['email_from'], else SITENAME",
    "Reply-To": "DIGEST_EDITIONS['reply_to']",
    "List-Unsubscribe": "DIGEST_EDITIONS['unsubscribe_url']",
    "List-Archive": "the edition's address (SITEURL or FEED_DOMAIN)",
}


def header_text_problem(value: str) -> str | None:
    """Why ``value`` cannot be the text of a header as it is, if it can't."""
    for char in value:
        if unicodedata.category(char) in _UNSAFE_CATEGORIES or _BIDI_CONTROLS.match(
            char
        ):
            return (
                f"contains U+{ord(char):04X} (a control character, a line "
                "separator or broken Unicode)"
            )
    if "=?" in value:
        return (
            "contains '=?', which mail programs decode as an RFC 2047 encoded "
            "word (one can hide a line break that starts a new header)"
        )
    if len(value) > MAX_HEADER_CHARS:
        return f"is {len(value):,} characters long (at most {MAX_HEADER_CHARS})"
    return None


def mailbox(value: object) -> Address:
    """One mailbox exactly as a mail program reads it; ``ValueError`` says why not.

    Refuses whatever could add, hide or change a recipient or sender: several
    addresses, a group, anything the stdlib's parser had to guess at (stray
    angle brackets, commas, semicolons), control characters, encoded words,
    quoted or non-ASCII user names (SMTPUTF8 is not used). A non-ASCII domain
    becomes its IDNA ``xn--`` form, which every server accepts."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty")
    problem = header_text_problem(value)
    if problem:
        raise ValueError(problem)
    try:
        header = policy.default.header_factory("To", value)
        groups, defects = header.groups, header.defects
    except (HeaderParseError, IndexError, ValueError):
        raise ValueError("is not an email address") from None
    addresses = [address for group in groups for address in group.addresses]
    if any(group.display_name is not None for group in groups):
        raise ValueError("is a group of addresses, not one address")
    if len(addresses) != 1:
        raise ValueError(f"holds {len(addresses)} addresses, not one")
    serious = [d for d in defects if type(d).__name__ != "ObsoleteHeaderDefect"]
    if serious:
        raise ValueError(f"is not a plain address ({serious[0]})")
    address = addresses[0]
    user, domain = address.username, address.domain
    if not _DOT_ATOM.fullmatch(user) or user.startswith("-"):
        raise ValueError(f"has a user name {user!r} that is not plain ASCII")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(
                f"has a domain {domain!r} that is not a host name"
            ) from None
    if not all(_HOST_LABEL.fullmatch(label) for label in domain.split(".")):
        raise ValueError(f"has a domain {domain!r} that is not a host name")
    if len(user) + 1 + len(domain) > 254:
        raise ValueError("is longer than 254 characters")
    return Address(address.display_name, user, domain)


def header_url_problem(url: str) -> str | None:
    """Why ``url`` cannot go between the angle brackets of a List-* header."""
    if re.search(r"[\s<>\\\"]", url) or not url.isascii():
        return "contains spaces, quotes, angle brackets or non-ASCII characters"
    return header_text_problem(url)


def serialised_problem(data: bytes, message: EmailMessage) -> str | None:
    """How a mail program would read ``data`` differently from ``message``.

    The last guard of both the build and the send: any header added, lost or
    changed by folding or encoding, or a text part whose content changed,
    refuses the message instead of sending something odd."""
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    meant = [(name.lower(), str(value)) for name, value in message.items()]
    read = [(name.lower(), str(value)) for name, value in parsed.items()]
    if meant != read:
        extra = [h for h in read if h not in meant] or [
            h for h in meant if h not in read
        ]
        name, value = extra[0] if extra else read[0]
        return f"would reach readers with a changed header ({name}: {value[:80]!r})"
    meant_parts, read_parts = list(message.walk()), list(parsed.walk())
    if len(meant_parts) != len(read_parts):
        return "would reach readers with other MIME parts than were built"
    for one, other in zip(meant_parts, read_parts, strict=True):
        if one.get_content_maintype() == "text" and _lines(one) != _lines(other):
            return f"would reach readers with a changed {one.get_content_type()} part"
    return None


def _lines(part: Any) -> list[str]:
    return str(part.get_content()).splitlines()


def sender(config: dict[str, Any], sitename: str, base_url: str) -> str:
    """``From``: the configured one, else the site's name at its own host.

    ``Address`` quotes the name but, unlike ``formataddr``, does not turn a
    non-ASCII name into an encoded word, which ``mailbox`` would refuse."""
    if config.get("email_from"):
        return str(config["email_from"])
    host = urlsplit(base_url).hostname or "localhost"
    return str(Address(sitename, "editions", host))


def build_message(
    *,
    subject: str,
    html: str,
    text: str,
    from_addr: str,
    reply_to: str | None = None,
    unsubscribe_url: str | None = None,
    view_url: str | None = None,
) -> EmailMessage:
    """multipart/alternative: the text part first, the HTML part preferred.

    Refuses (``DigestError`` naming the setting and the fix) any value that
    would not reach readers exactly as written; see ``serialised_problem``."""
    subject = " ".join(subject.split())
    message = EmailMessage(policy=SMTP_POLICY)
    _set_text(message, "Subject", subject)
    _set_mailbox(message, "From", from_addr)
    if reply_to:
        _set_mailbox(message, "Reply-To", reply_to)
    if unsubscribe_url:
        _set_url(message, "List-Unsubscribe", unsubscribe_url)
    if view_url:
        _set_url(message, "List-Archive", view_url)
    message["MIME-Version"] = "1.0"
    for name, content in (("text", text), ("HTML", html)):
        if not _encodable(content):
            raise DigestError(
                f"The email's {name} part holds broken Unicode (a lone surrogate) "
                "from an item's title or summary, a topic name or the edition's "
                "note. Fix: retype the odd character in the source file."
            )
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        html, subtype="html", charset="utf-8", cte="quoted-printable"
    )
    # The default boundary is random; the same edition must give the same file.
    digest = hashlib.sha256(f"{subject}\0{text}\0{html}".encode()).hexdigest()
    message.set_boundary(f"=_edition_{digest[:32]}")
    problem = serialised_problem(message.as_bytes(policy=FILE_POLICY), message)
    if problem:
        raise DigestError(
            f"The edition's email {problem}. Fix: simplify {HEADER_SOURCES['Subject']} "
            "and the email settings (DIGEST_EDITIONS)."
        )
    return message


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse(header: str, value: str, problem: str, fix: str) -> DigestError:
    return DigestError(
        f"The email's {header} header {value[:80]!r} (from "
        f"{HEADER_SOURCES.get(header, header)}) {problem}. Fix: {fix}"
    )


def _set_text(message: EmailMessage, header: str, value: str) -> None:
    problem = header_text_problem(value)
    if problem:
        raise _refuse(header, value, problem, "write it as one line of plain text.")
    message[header] = value


def _set_mailbox(message: EmailMessage, header: str, value: str) -> None:
    try:
        message[header] = mailbox(value)
    except ValueError as error:
        raise _refuse(header, value, str(error), ADDRESS_FIX) from None


def _set_url(message: EmailMessage, header: str, url: str) -> None:
    problem = header_url_problem(url)
    if problem:
        raise _refuse(header, url, problem, "use a plain https:// or mailto: address.")
    message[header] = f"<{url}>"


def message_text(message: EmailMessage) -> str:
    """The message as the ``.eml`` file holds it (LF line ends, like every file)."""
    return message.as_bytes(policy=FILE_POLICY).decode("ascii")


def email_sections(edition: Any, limit: int) -> tuple[list[tuple[str, list[Any]]], int]:
    """(heading, items) in reading order, at most ``limit`` items in all, and how
    many were left for the web page: a busy week must not break the 102 KB that
    keeps Gmail from clipping the message (inlined styles cost ~1 KB an item)."""
    sections: list[tuple[str, list[Any]]] = []
    room = limit
    wanted = [("Highlights", list(edition.highlights))] if edition.highlights else []
    wanted += [(group.topic.name, list(group.items)) for group in edition.groups]
    for heading, items in wanted:
        kept = items[: max(room, 0)]
        room -= len(kept)
        if kept:
            sections.append((heading, kept))
    return sections, edition.count - (limit - room)


def edition_list_html(edition: Any, base: str) -> str:
    """An edition's list as feed content: highlights, then topics, absolute links."""
    parts: list[str] = []
    if edition.intro_html:
        parts.append(edition.intro_html)

    def entries(items: list[Any]) -> str:
        rows = []
        for item in items:
            rows.append(
                f'<li><a href="{escape(urljoin(base, item.url), quote=True)}">'
                f"{escape(item.title)}</a> ({escape(item.source)}): "
                f"{escape(item.summary)}</li>"
            )
        return "<ul>" + "".join(rows) + "</ul>"

    if edition.highlights:
        parts.append("<h2>Highlights</h2>" + entries(edition.highlights))
    for group in edition.groups:
        parts.append(f"<h2>{escape(group.topic.name)}</h2>" + entries(group.items))
    return "".join(parts)


# --- Sending ------------------------------------------------------------------

#: The headers a build writes into ``email.eml``; send refuses any other.
EML_HEADERS = (
    "subject",
    "from",
    "reply-to",
    "list-unsubscribe",
    "list-archive",
    "mime-version",
    "content-type",
)
REBUILD_FIX = (
    "Fix: rebuild the site (invoke publish) and send again; never edit email.eml."
)


@dataclass
class SendResult:
    """What ``send_message`` did (or would do), for the one-line report.

    ``refused`` maps each address the server turned down to its reply; the
    others (``delivered``) got the message."""

    edition: str
    subject: str
    recipients: list[str]
    server: str
    dry_run: bool
    size: int
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def delivered(self) -> list[str]:
        return [r for r in self.recipients if r not in self.refused]

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"{self.edition}: would send “{self.subject}” ({self.size:,} bytes) "
                f"to {len(self.recipients)} recipient(s) via {self.server}: "
                + ", ".join(self.recipients)
            )
        line = (
            f"{self.edition}: sent “{self.subject}” ({self.size:,} bytes) to "
            f"{len(self.delivered)} recipient(s) via {self.server}: "
            + (", ".join(self.delivered) or "nobody")
        )
        if self.refused:
            line += "; NOT sent to " + ", ".join(
                f"{address} ({reply})" for address, reply in self.refused.items()
            )
        return line


def check_recipients(addresses: Sequence[str]) -> list[str]:
    """The envelope address of each ``--to``, refusing anything but one plain
    mailbox each (see ``mailbox``): "a@x, b@y" must not silently become a@x."""
    clean: list[str] = []
    for address in addresses:
        try:
            spec = mailbox(address).addr_spec
        except ValueError as error:
            raise DigestError(
                f"--to {address[:80]!r} is not an email address: it {error}. "
                "Fix: pass one address per --to, e.g. --to name@example.org."
            ) from None
        if spec not in clean:
            clean.append(spec)
    if not clean:
        raise DigestError("No recipients. Fix: pass --to ADDRESS (repeatable).")
    return clean


def read_message(path: Path) -> EmailMessage:
    """The ``email.eml`` a build wrote."""
    with path.open("rb") as handle:
        message = BytesParser(policy=SMTP_POLICY).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


def outgoing_message(message: EmailMessage, to: Sequence[str]) -> EmailMessage:
    """The built message as it goes out: its checked headers, ``To`` (the one
    recipient, else undisclosed), ``Date`` and ``Message-ID``.

    The ``.eml`` is checked again as if hostile (it is a file anyone with the
    output folder can edit): only the headers a build writes, once each, each
    valid; a header smuggled in by an old build or an edit is refused."""
    names = [name.lower() for name in message]
    for name in names:
        if name not in EML_HEADERS or names.count(name) > 1:
            raise DigestError(
                f"email.eml has a {name!r} header a build never writes"
                f"{' twice' if name in EML_HEADERS else ''}. {REBUILD_FIX}"
            )
    if message.get_content_type() != "multipart/alternative":
        raise DigestError(
            f"email.eml is not a multipart/alternative message. {REBUILD_FIX}"
        )
    outgoing = EmailMessage(policy=SMTP_POLICY)
    for name, value in message.items():
        text = str(value)
        if name.lower() in ("from", "reply-to"):
            _set_mailbox(outgoing, name, text)
        elif name.lower().startswith("list-"):
            if not (text.startswith("<") and text.endswith(">")):
                raise _refuse(name, text, "is not one <address>", REBUILD_FIX)
            _set_url(outgoing, name, text[1:-1])
        else:
            _set_text(outgoing, name, text)
    if "From" not in outgoing:
        raise DigestError(f"email.eml has no From header. {REBUILD_FIX}")
    outgoing.set_payload(message.get_payload())
    outgoing["To"] = to[0] if len(to) == 1 else "undisclosed-recipients:;"
    outgoing["Date"] = formatdate(localtime=False, usegmt=True)
    sender_address = mailbox(str(outgoing["From"]))
    outgoing["Message-ID"] = make_msgid("edition", domain=sender_address.domain)
    return outgoing


def send_message(
    message: EmailMessage,
    recipients: Sequence[str],
    config: dict[str, Any],
    *,
    edition: str,
    dry_run: bool = False,
    environ: dict[str, str] | None = None,
) -> SendResult:
    """Send one message to the recipient list (addresses stay undisclosed).

    Host, port, STARTTLS and user come from ``DIGEST_EDITIONS``; the password
    only from the environment variable named by ``smtp_password_env``, and it
    is blanked out of every report (a server may echo what it was sent).

    Returns when every recipient got the message; otherwise raises a
    ``DigestError`` that says who got it, who did not and why, or, when the
    connection died while the message was on its way, that nobody can tell."""
    environ = dict(os.environ if environ is None else environ)
    to = check_recipients(recipients)
    outgoing = outgoing_message(message, to)
    data = outgoing.as_bytes()
    problem = serialised_problem(data, outgoing)
    if problem or not data.isascii():
        raise DigestError(f"email.eml {problem or 'is not 7-bit'}. {REBUILD_FIX}")
    host, port = config["smtp_host"], config["smtp_port"]
    server = f"{host}:{port}"
    result = SendResult(
        edition, str(outgoing["Subject"]), to, server, dry_run, len(data)
    )
    user = config.get("smtp_user")
    password = environ.get(config["smtp_password_env"])
    if user and not password:
        raise DigestError(
            f"SMTP user {user!r} is set but ${config['smtp_password_env']} is empty. "
            f"Fix: export {config['smtp_password_env']}=... (never in a settings file)."
        )
    if dry_run:
        return result
    secrets = _secrets(user, password)
    try:
        _transaction(result, outgoing, data, config, user, password, secrets)
    except DigestError as error:
        raise DigestError(_redact(str(error), secrets)) from None
    if result.refused:
        temporary = any(reply.startswith("4") for reply in result.refused.values())
        raise DigestError(
            result.summary()
            + ". Fix: check the refused addresses"
            + (" (4xx: the server asks to try again later)" if temporary else "")
            + ", then send again with --to for those only; the others have it."
        )
    logger.info("sent edition %s to %d recipient(s)", edition, len(to))
    return result


def _transaction(
    result: SendResult,
    outgoing: EmailMessage,
    data: bytes,
    config: dict[str, Any],
    user: str | None,
    password: str | None,
    secrets: list[str],
) -> None:
    """One SMTP transaction, step by step, so a failure is known to have come
    before the message left (nobody has it) or while it was on its way (the
    server may have queued it): ``smtplib.sendmail`` tells these apart for no
    one, and its QUIT failing after a delivery read as "nothing sent"."""
    server, host, port = result.server, config["smtp_host"], config["smtp_port"]
    sender_address = mailbox(str(outgoing["From"])).addr_spec
    in_flight = False
    try:
        smtp = smtplib.SMTP(host, port, timeout=config["smtp_timeout"])
        try:
            smtp.ehlo()
            if config["smtp_starttls"]:
                if not smtp.has_extn("starttls"):
                    raise DigestError(
                        f"{server} does not offer STARTTLS. Fix: use a server that "
                        "does, or set DIGEST_EDITIONS['smtp_starttls'] = False for a "
                        "trusted local relay."
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if user:
                smtp.login(user, password or "")
            code, reply = smtp.mail(sender_address)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender_address)
            for address in result.recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    result.refused[address] = _reply(code, reply, secrets)
            if not result.delivered:
                raise DigestError(
                    f"{server} refused every recipient: "
                    + ", ".join(f"{a} ({r})" for a, r in result.refused.items())
                    + ". Nothing sent. Fix: check the addresses."
                )
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            in_flight = True
            content = smtplib.quotedata(data.decode("ascii")).encode("ascii")
            if not content.endswith(b"\r\n"):
                content += b"\r\n"
            smtp.send(content + b".\r\n")
            code, reply = smtp.getreply()
            in_flight = False
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        finally:
            _quit(smtp)
    except DigestError:
        raise
    except ConnectionRefusedError:
        raise DigestError(
            f"Cannot connect to the SMTP server {server}: connection refused. Fix: "
            "check DIGEST_EDITIONS['smtp_host'] and ['smtp_port'] and that the "
            "server is running."
        ) from None
    except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError is an OSError
        if in_flight:
            raise DigestError(
                f"{server} went away while the message was on its way "
                f"({_text(str(error) or type(error).__name__, secrets)}): it may or "
                "may not have been delivered to "
                + ", ".join(result.delivered)
                + ". Fix: check the server's log or ask a recipient before sending "
                "again; sending again may deliver it twice."
            ) from None
        raise _smtp_error(error, server, user, config, secrets) from None


def _quit(smtp: smtplib.SMTP) -> None:
    """QUIT, ignoring its answer: what was delivered is delivered."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _secrets(user: str | None, password: str | None) -> list[str]:
    """The password and the encodings AUTH PLAIN and LOGIN put on the wire."""
    if not password:
        return []
    forms = [password, base64.b64encode(password.encode()).decode()]
    if user:
        plain = f"\0{user}\0{password}".encode()
        forms.append(base64.b64encode(plain).decode())
    return sorted(forms, key=len, reverse=True)


def _redact(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "********")
    return text


def _text(raw: str | bytes, secrets: Sequence[str]) -> str:
    """A server's words for a one-line report: control characters (a hostile
    server's line breaks or terminal escapes) become spaces, secrets stars."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    flat = "".join(
        " " if unicodedata.category(c) in _UNSAFE_CATEGORIES else c for c in raw
    )
    return _redact(" ".join(flat.split())[:300], secrets)


def _reply(code: int, reply: str | bytes, secrets: Sequence[str]) -> str:
    return f"{code} {_text(reply, secrets)}".strip()


def _smtp_error(
    error: Exception,
    server: str,
    user: str | None,
    config: dict[str, Any],
    secrets: Sequence[str],
) -> DigestError:
    """The one-line report of a failure before the message left: nothing sent."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DigestError(
            f"{server} refused the login for {user!r} "
            f"({_reply(error.smtp_code, error.smtp_error, secrets)}). Nothing sent. "
            "Fix: check DIGEST_EDITIONS['smtp_user'] and "
            f"${config['smtp_password_env']}."
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DigestError(
            f"{server}: {_text(str(error), secrets)}. Nothing sent. "
            "Fix: check the server's settings."
        )
    if isinstance(error, smtplib.SMTPSenderRefused):
        return DigestError(
            f"{server} refused the sender {error.sender!r} "
            f"({_reply(error.smtp_code, error.smtp_error, secrets)}). Nothing sent. "
            "Fix: check DIGEST_EDITIONS['email_from'] (rebuild after changing it)."
        )
    if isinstance(error, smtplib.SMTPResponseException):
        return DigestError(
            f"{server} answered {_reply(error.smtp_code, error.smtp_error, secrets)}"
            ". Nothing sent."
            + (" The server asks to try again later." if error.smtp_code < 500 else "")
        )
    if isinstance(error, ssl.SSLError):
        return DigestError(
            f"STARTTLS with {server} failed: "
            f"{_text(str(error.reason or error), secrets)}. Nothing sent. Fix: check "
            "the server's certificate and DIGEST_EDITIONS['smtp_host']."
        )
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DigestError(
            f"{server} closed the connection before the message was sent "
            f"({_text(str(error), secrets)}). Nothing sent. Fix: check the server's "
            "log; sending again is safe."
        )
    if isinstance(error, (socket.timeout, TimeoutError)):
        return DigestError(
            f"{server} did not answer within {config['smtp_timeout']} s. Nothing "
            "sent. Fix: check the server, or raise DIGEST_EDITIONS['smtp_timeout']."
        )
    if isinstance(error, OSError):  # unknown host, network unreachable
        return DigestError(
            f"Cannot reach the SMTP server {server}: {_text(str(error), secrets)}. "
            "Nothing sent. Fix: check DIGEST_EDITIONS['smtp_host'] and ['smtp_port']."
        )
    return DigestError(
        f"SMTP with {server} failed: {_text(str(error), secrets)}. Nothing sent."
    )
