"""The publish plugin's plain functions (newsdigest.plugins.publish): its settings, the
page-loss rule, the build date, and one-line errors.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import sys
from types import SimpleNamespace

import pytest

from newsdigest.plugins.publish import _QuietDigestErrors
from newsdigest.problems import DigestError
from newsdigest.publishing.builddate import configured_build_date
from newsdigest.publishing.staging import page_loss_problem
from newsdigest.settings import (
    FORCE_ENV,
    PUBLISH_DEFAULTS,
    publish_settings,
)


@pytest.fixture
def no_force(monkeypatch):
    monkeypatch.delenv(FORCE_ENV, raising=False)


def test_publish_settings_with_keep_builds_none_is_a_settings_error(no_force):
    with pytest.raises(DigestError):
        publish_settings({"DIGEST_PUBLISH": {"keep_builds": None}})


# --- publish_settings ---------------------------------------------------------------
def test_publish_defaults(no_force):
    assert publish_settings({}) == PUBLISH_DEFAULTS


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"max_page_loss": 1.5}, "max_page_loss", "must be a share between 0 and 1."),
        ({"max_page_loss": -0.1}, "max_page_loss", "must be a share between 0 and 1."),
        ({"keep_builds": 0}, "keep_builds", "must be >= 1."),
        ({"precompress": ["gzip", "zip"]}, "precompress", "'zip' is unknown."),
        (
            {"build_date": "2026-01-01"},
            "build_date",
            "'2026-01-01' is not an ISO 8601 datetime with offset.",
        ),
        (
            {"build_date": "yesterday"},
            "build_date",
            "'yesterday' is not an ISO 8601 datetime with offset.",
        ),
    ],
)
def test_publish_settings_refuse_with_the_key(no_force, given, field, message):
    with pytest.raises(DigestError) as raised:
        publish_settings({"DIGEST_PUBLISH": given})
    assert str(raised.value).startswith("DIGEST_PUBLISH is invalid:")
    assert [(p.field, p.message) for p in raised.value.report.errors] == [
        (f'DIGEST_PUBLISH["{field}"]', message)
    ]


@pytest.mark.parametrize(
    "build_date",
    [dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 20260101],
    ids=["datetime", "int"],
)
def test_non_string_build_date_is_a_settings_error(no_force, build_date):
    with pytest.raises(DigestError) as raised:
        publish_settings({"DIGEST_PUBLISH": {"build_date": build_date}})
    assert raised.value.report.errors[0].field == 'DIGEST_PUBLISH["build_date"]'


@pytest.mark.parametrize(
    ("env", "setting", "force"),
    [
        (None, False, False),
        ("", False, False),
        ("0", False, False),
        ("1", False, True),
        ("yes", False, True),
        (None, True, True),
    ],
)
def test_force_comes_from_setting_or_environment(monkeypatch, env, setting, force):
    if env is None:
        monkeypatch.delenv(FORCE_ENV, raising=False)
    else:
        monkeypatch.setenv(FORCE_ENV, env)
    assert publish_settings({"DIGEST_PUBLISH": {"force": setting}})["force"] is force


# --- page_loss_problem --------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "max_loss", "refused"),
    [
        (0, 0, 0.5, False),  # first build
        (0, 10, 0.5, False),
        (10, 10, 0.5, False),
        (10, 20, 0.5, False),
        (10, 5, 0.5, False),  # exactly the limit is allowed
        (10, 4, 0.5, True),
        (10, 0, 0.5, True),
        (10, 9, 0.0, True),
        (10, 0, 1.0, False),
        (1000, 899, 0.1, True),
        (1000, 900, 0.1, False),
    ],
)
def test_page_loss_threshold(old, new, max_loss, refused):
    assert (page_loss_problem(old, new, max_loss) is not None) is refused


def test_page_loss_message_gives_numbers_and_the_way_out():
    assert page_loss_problem(10, 4, 0.5) == (
        "the new build has 4 pages, the published site 10: it lost 60% of its "
        "pages, more than the allowed 50%. Nothing was replaced. If this is "
        f"intended, build again with {FORCE_ENV}=1 (or `invoke publish --force`)."
    )


# --- configured_build_date ----------------------------------------------------------
def article(date, updated=None):
    return SimpleNamespace(date=date, updated=updated)


ITEMS = [
    article(dt.datetime(2022, 1, 5, tzinfo=dt.UTC)),
    article(
        dt.datetime(2022, 1, 3, tzinfo=dt.UTC),
        updated=dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC),
    ),
    article(dt.datetime(2022, 1, 7, tzinfo=dt.UTC)),
]


@pytest.mark.parametrize(
    ("setting", "epoch", "items", "expected"),
    [
        (
            "2026-01-01T00:00:00+01:00",
            "1643673600",
            ITEMS,
            dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        (None, "1643673600", ITEMS, dt.datetime(2022, 2, 1, tzinfo=dt.UTC)),
        (None, None, ITEMS, dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC)),
        (None, "not-a-number", ITEMS, dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC)),
        (None, "", ITEMS, dt.datetime(2022, 1, 9, 8, tzinfo=dt.UTC)),
        (None, None, [], dt.datetime(1970, 1, 1, tzinfo=dt.UTC)),
        (None, "0", [], dt.datetime(1970, 1, 1, tzinfo=dt.UTC)),
    ],
    ids=[
        "setting-wins",
        "source-date-epoch",
        "newest-update",
        "bad-epoch-ignored",
        "empty-epoch-ignored",
        "unix-epoch",
        "epoch-zero",
    ],
)
def test_build_date_precedence(monkeypatch, setting, epoch, items, expected):
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    settings = {"DIGEST_PUBLISH": {"build_date": setting}}
    when = configured_build_date(settings, items)
    assert when == expected
    assert when.utcoffset() == expected.utcoffset()


def test_page_loss_rule():
    assert page_loss_problem(100, 40, 0.5) is not None
    assert page_loss_problem(100, 60, 0.5) is None
    assert page_loss_problem(0, 3, 0.5) is None  # first publish


def test_an_os_error_pelican_reports_is_logged_as_one_line():
    try:
        raise OSError(errno.ENOSPC, "No space left on device", "/srv/a.html")
    except OSError:
        record = logging.LogRecord(
            "pelican", logging.CRITICAL, __file__, 1, "%s", ("OSError",), sys.exc_info()
        )
    assert _QuietDigestErrors().filter(record)
    assert record.exc_info is None
    assert "No space left on device (ENOSPC): /srv/a.html" in record.getMessage()
