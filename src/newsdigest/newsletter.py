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

import hashlib
import logging
import os
import smtplib
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, formatdate, make_msgid, parseaddr
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


def sender(config: dict[str, Any], sitename: str, base_url: str) -> str:
    """``From``: the configured one, else the site's name at its own host."""
    if config.get("email_from"):
        return str(config["email_from"])
    host = urlsplit(base_url).hostname or "localhost"
    return formataddr((sitename, f"editions@{host}"))


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
    """multipart/alternative: the text part first, the HTML part preferred."""
    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = " ".join(subject.split())
    message["From"] = from_addr
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    if view_url:
        message["List-Archive"] = f"<{view_url}>"
    message["MIME-Version"] = "1.0"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(
        html, subtype="html", charset="utf-8", cte="quoted-printable"
    )
    # The default boundary is random; the same edition must give the same file.
    digest = hashlib.sha256(f"{subject}\0{text}\0{html}".encode()).hexdigest()
    message.set_boundary(f"=_edition_{digest[:32]}")
    return message


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


@dataclass
class SendResult:
    """What ``send_message`` did (or would do), for the one-line report."""

    edition: str
    subject: str
    recipients: list[str]
    server: str
    dry_run: bool
    size: int

    def summary(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        return (
            f"{self.edition}: {verb} “{self.subject}” ({self.size:,} bytes) to "
            f"{len(self.recipients)} recipient(s) via {self.server}: "
            + ", ".join(self.recipients)
        )


def check_recipients(addresses: Sequence[str]) -> list[str]:
    """Plain addresses; refuses names with line breaks or without an ``@``."""
    clean = []
    for address in addresses:
        _, parsed = parseaddr(address)
        if (
            not parsed
            or "@" not in parsed
            or any(c in address for c in "\r\n")
            or parsed.startswith("-")
        ):
            raise DigestError(
                f"'{address}' is not an email address. Fix: pass --to name@example.org."
            )
        clean.append(parsed)
    if not clean:
        raise DigestError("No recipients. Fix: pass --to ADDRESS (repeatable).")
    return clean


def read_message(path: Path) -> EmailMessage:
    """The ``email.eml`` a build wrote."""
    with path.open("rb") as handle:
        message = BytesParser(policy=SMTP_POLICY).parse(handle)
    assert isinstance(message, EmailMessage)
    return message


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
    only from the environment variable named by ``smtp_password_env``."""
    environ = dict(os.environ if environ is None else environ)
    to = check_recipients(recipients)
    host, port = config["smtp_host"], config["smtp_port"]
    server = f"{host}:{port}"
    outgoing = EmailMessage(policy=SMTP_POLICY)
    for key, value in message.items():
        outgoing[key] = value
    outgoing.set_payload(message.get_payload())
    del outgoing["To"]
    outgoing["To"] = to[0] if len(to) == 1 else "undisclosed-recipients:;"
    if "Date" not in outgoing:
        outgoing["Date"] = formatdate(localtime=False, usegmt=True)
    if "Message-ID" not in outgoing:
        domain = parseaddr(str(outgoing["From"]))[1].rpartition("@")[2] or None
        outgoing["Message-ID"] = make_msgid("edition", domain=domain)
    data = outgoing.as_bytes()
    result = SendResult(
        edition, str(message["Subject"]), to, server, dry_run, len(data)
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
    try:
        with smtplib.SMTP(host, port, timeout=config["smtp_timeout"]) as smtp:
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
            refused = smtp.send_message(
                outgoing, from_addr=parseaddr(str(outgoing["From"]))[1], to_addrs=to
            )
    except ConnectionRefusedError:
        raise DigestError(
            f"Cannot connect to the SMTP server {server}: connection refused. Fix: "
            "check DIGEST_EDITIONS['smtp_host'] and ['smtp_port'] and that the "
            "server is running."
        ) from None
    except smtplib.SMTPException as error:  # before OSError: it is one
        raise _smtp_error(error, server, user, config) from None
    except ssl.SSLError as error:
        raise DigestError(
            f"STARTTLS with {server} failed: {error.reason or error}. Fix: check the "
            "server's certificate and DIGEST_EDITIONS['smtp_host']."
        ) from None
    except OSError as error:  # unknown host, timeout, network unreachable
        raise DigestError(
            f"Cannot reach the SMTP server {server}: {error}. Fix: check "
            "DIGEST_EDITIONS['smtp_host'] and ['smtp_port']."
        ) from None
    if refused:
        raise DigestError(
            f"{server} refused {', '.join(sorted(refused))}; the others were sent."
        )
    logger.info("sent edition %s to %d recipient(s)", edition, len(to))
    return result


def _smtp_error(
    error: smtplib.SMTPException, server: str, user: str | None, config: dict[str, Any]
) -> DigestError:
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return DigestError(
            f"{server} refused the login for {user!r} "
            f"({error.smtp_code} {error.smtp_error.decode(errors='replace')}). "
            "Fix: check DIGEST_EDITIONS['smtp_user'] and "
            f"${config['smtp_password_env']}."
        )
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return DigestError(f"{server}: {error}. Fix: check the server's settings.")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return DigestError(
            f"{server} refused every recipient: "
            f"{', '.join(sorted(error.recipients))}. Fix: check the addresses."
        )
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace")
        return DigestError(
            f"{server} answered {error.smtp_code} {reply}. Nothing sent."
        )
    return DigestError(f"SMTP with {server} failed: {error}. Nothing sent.")
