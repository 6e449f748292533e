"""The edition's email message: every header value reaches readers as written.

Input -> the message a mail program parses from the bytes the build writes (or
a refusal naming the setting and the fix). The SMTP side is in
tests/test_edition_cli.py, against aiosmtpd.
"""

from __future__ import annotations

import email
from email import policy

import pytest

from newsdigest.editions.model import editions_settings
from newsdigest.editions.newsletter import build_message, message_text
from newsdigest.problems import DigestError

# Each decodes to, or is, a line break followed by a header of the attacker's.
INJECTIONS = [
    "=?utf-8?q?a=0D=0ABcc:_eve@evil.example?=",
    "=?utf-8?b?YQ0KQmNjOiBldmVAZXZpbC5leGFtcGxl?=",
    "News =?UTF-8?Q?x=0AReply-To:_eve@evil.example?= today",
    "a\x00b",
    "a\udc80b",
    "a\u202eb",  # right-to-left override: a From name that reads backwards
]


def message(**fields) -> email.message.EmailMessage:
    values = {
        "subject": "Digest No. 1: Week 1, 2022",
        "html": "<p>Hi</p>",
        "text": "Hi\n",
        "from_addr": "Digest <editions@digest.example.org>",
        **fields,
    }
    built = build_message(**values)
    return email.message_from_string(message_text(built), policy=policy.default)


@pytest.mark.parametrize("payload", INJECTIONS)
@pytest.mark.parametrize(
    ("field", "shape", "named"),
    [
        ("subject", "{}", "SITENAME and the edition's title"),
        (
            "from_addr",
            "{} <editions@digest.example.org>",
            "email_from'], else SITENAME",
        ),
        ("reply_to", "{} <desk@digest.example.org>", "DIGEST_EDITIONS['reply_to']"),
        ("unsubscribe_url", "https://digest.example.org/u/{}", "unsubscribe_url"),
    ],
)
def test_values_that_would_not_arrive_as_written_are_refused(
    field, shape, named, payload
) -> None:
    with pytest.raises(DigestError) as refused:
        message(**{field: shape.format(payload)})
    assert named in str(refused.value) and "Fix:" in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("from_addr", "editions@digest.example.org, eve@evil.example", "2 addresses"),
        ("from_addr", "Digest <eve@evil.example> <editions@x.example>", "plain"),
        ("reply_to", "desk: eve@evil.example, x@evil.example;", "group"),
        ("reply_to", "jö@example.org", "non-ASCII"),
        ("subject", "x" * 2000, "2,000 characters"),
    ],
)
def test_addresses_a_parser_would_guess_at_are_refused(field, value, problem) -> None:
    with pytest.raises(DigestError, match=problem):
        message(**{field: value})


@pytest.mark.parametrize("part", ["text", "html"])
def test_broken_unicode_in_the_body_is_an_error_not_a_traceback(part) -> None:
    with pytest.raises(DigestError, match="lone surrogate"):
        message(**{part: "An item title \udc80 in the list"})


def test_a_non_ascii_site_name_is_the_senders_name_not_an_encoded_word() -> None:
    from newsdigest.editions.newsletter import sender

    got = message(from_addr=sender({}, "Café, «Nouvelles»", "https://bücher.example/"))
    [address] = got["From"].addresses
    assert address.display_name == "Café, «Nouvelles»"
    assert address.addr_spec == "editions@xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("key", "value", "message_part"),
    [
        ("email_from", "a@digest.example.org, eve@evil.example", "2 addresses"),
        ("reply_to", "desk@digest.example.org\x85Bcc: eve@evil.example", "U+0085"),
        ("email_from", "=?utf-8?q?a=0D=0ABcc:_eve@evil?= <a@x.example>", "'=?'"),
        ("unsubscribe_url", "https://x.example/u/=?utf-8?q?=0D=0AX:_y?=", "'=?'"),
        ("unsubscribe_url", "mailto:a@x.example?subject=stop me", "spaces"),
    ],
)
def test_email_settings_are_checked_once_with_the_key_and_the_fix(
    key, value, message_part
) -> None:
    _, report = editions_settings({"DIGEST_EDITIONS": {"period": "weekly", key: value}})
    [problem] = report.errors
    assert key in problem.field and message_part in problem.message and problem.fix


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (
            "<p><strong>Bold</strong> and <em>soft</em> <code>x</code></p>",
            "Bold and soft x",
        ),
        (
            '<p>See <a href="https://a.example/1">this</a> and '
            '<a href="https://a.example/1">again</a>.</p>',
            "See this [1] and again [1].",
        ),
        ('<p><a href="javascript:alert(1)">no link</a></p>', "no link"),
        (
            "<ol><li>first</li><li><p>second</p><p>more</p></li></ol>",
            "1. first\n2. second\n\n   more",
        ),
        ("<blockquote><p>a</p><p>b</p></blockquote>", "> a\n\n> b"),
        ("<p>one<br>two</p><hr><h2>Head</h2>", "one\n\ntwo\n\n----------\n\nHead"),
    ],
)
def test_html_becomes_plain_text(html, text):
    from newsdigest.editions.plaintext import PlainText

    assert PlainText().html(html) == text


def test_plain_text_wraps_at_72_and_never_breaks_a_word_or_an_address():
    from newsdigest.editions.plaintext import PlainText

    url = "https://example.org/" + "a" * 80
    plain = PlainText()
    text = plain.html(f"<p>{'word ' * 20}{url} end</p>")
    lines = text.splitlines()
    assert url in lines and all(len(line) <= 72 for line in lines if line != url)
    assert plain.footer() == ""
    plain.link("https://x.example/")
    assert plain.footer() == "Links\n[1] https://x.example/"
