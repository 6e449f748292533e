"""Unit tests for newsdigest.settings and the settings/tree helpers of publish."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsdigest import publish
from newsdigest.builddate import configured_build_date
from newsdigest.problems import DigestError, Report
from newsdigest.publish import page_loss_problem
from newsdigest.settings import (
    CONTENT_DEFAULTS,
    FEEDS_DEFAULTS,
    FORCE_ENV,
    PUBLISH_DEFAULTS,
    content_settings,
    merge,
    publish_settings,
)
from newsdigest.staging import prune_builds, swap_into_place


@pytest.fixture
def no_force(monkeypatch):
    monkeypatch.delenv(FORCE_ENV, raising=False)


# --- merge --------------------------------------------------------------------------


def merged(name, defaults, given):
    report = Report()
    result = merge(name, defaults, {name: given}, report)
    return result, [(p.path, p.field, p.message) for p in report.problems]


def test_missing_or_empty_settings_give_the_defaults():
    for settings in ({}, {"DIGEST_FEEDS": None}, {"DIGEST_FEEDS": {}}):
        report = Report()
        assert merge("DIGEST_FEEDS", FEEDS_DEFAULTS, settings, report) == FEEDS_DEFAULTS
        assert not report


def test_given_values_override_the_defaults():
    result, problems = merged(
        "DIGEST_FEEDS", FEEDS_DEFAULTS, {"limit": 10, "per_tag": False}
    )
    assert problems == []
    assert result == {**FEEDS_DEFAULTS, "limit": 10, "per_tag": False}


def test_merge_does_not_change_the_defaults():
    merged("DIGEST_FEEDS", FEEDS_DEFAULTS, {"limit": 1})
    assert FEEDS_DEFAULTS["limit"] == 30


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"limt": 10}, 'DIGEST_FEEDS["limt"]', "is not a known setting."),
        ({"limit": "10"}, 'DIGEST_FEEDS["limit"]', "must be int, not str."),
        ({"limit": 2.5}, 'DIGEST_FEEDS["limit"]', "must be int, not float."),
        ({"limit": True}, 'DIGEST_FEEDS["limit"]', "must be int, not bool."),
        ({"per_tag": 1}, 'DIGEST_FEEDS["per_tag"]', "must be bool, not int."),
        ({"per_tag": "no"}, 'DIGEST_FEEDS["per_tag"]', "must be bool, not str."),
        ({"formats": "atom"}, 'DIGEST_FEEDS["formats"]', "must be list, not str."),
        ({"formats": ("atom",)}, 'DIGEST_FEEDS["formats"]', "must be list, not tuple."),
    ],
)
def test_unknown_and_mistyped_keys_are_reported_with_their_path(given, field, message):
    result, problems = merged("DIGEST_FEEDS", FEEDS_DEFAULTS, given)
    assert problems == [("settings", field, message)]
    assert result == FEEDS_DEFAULTS  # the bad value is not used


def test_unknown_key_lists_the_known_ones():
    report = Report()
    merge("DIGEST_CONTENT", CONTENT_DEFAULTS, {"DIGEST_CONTENT": {"x": 1}}, report)
    assert report.problems[0].fix == (
        "Known keys: cache, footer, id_authority, labels, site_description, "
        "topics_file."
    )


def test_settings_that_are_not_a_dict_are_reported():
    result, problems = merged("DIGEST_FEEDS", FEEDS_DEFAULTS, ["atom"])
    assert problems == [("settings", "DIGEST_FEEDS", "must be a dict, not list.")]
    assert result == FEEDS_DEFAULTS


@pytest.mark.parametrize(
    ("given", "value"),
    [
        ({"max_page_loss": 1}, 1),  # an int is a fine share
        ({"max_page_loss": 0.25}, 0.25),
        ({"build_date": "2026-01-01T00:00:00+00:00"}, "2026-01-01T00:00:00+00:00"),
        # None is a documented value where it is the default.
        ({"base_url": None}, None),
    ],
)
def test_accepted_values(given, value):
    defaults = FEEDS_DEFAULTS if "base_url" in given else PUBLISH_DEFAULTS
    result, problems = merged("DIGEST_X", defaults, given)
    assert problems == []
    assert result[next(iter(given))] == value


@pytest.mark.parametrize(
    ("defaults", "key"),
    [
        (PUBLISH_DEFAULTS, "keep_builds"),  # publish_settings: TypeError on None < 1
        (PUBLISH_DEFAULTS, "max_page_loss"),  # float(None): TypeError
        (PUBLISH_DEFAULTS, "checks"),  # silently turns every site check off
        (FEEDS_DEFAULTS, "formats"),  # feed_settings: None is not iterable
        (CONTENT_DEFAULTS, "topics_file"),  # Path / None later
    ],
)
def test_none_for_a_key_that_is_not_nullable_is_reported(defaults, key):
    _, problems = merged("DIGEST_X", defaults, {key: None})
    assert [field for _, field, _ in problems] == [f'DIGEST_X["{key}"]']


def test_publish_settings_with_keep_builds_none_is_a_settings_error(no_force):
    with pytest.raises(DigestError):
        publish_settings({"DIGEST_PUBLISH": {"keep_builds": None}})


def test_every_problem_is_reported_at_once():
    _, problems = merged(
        "DIGEST_FEEDS", FEEDS_DEFAULTS, {"limit": "x", "per_tag": 0, "colour": "red"}
    )
    assert [field for _, field, _ in problems] == [
        'DIGEST_FEEDS["limit"]',
        'DIGEST_FEEDS["per_tag"]',
        'DIGEST_FEEDS["colour"]',
    ]


# --- content_settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "authority",
    [
        "digest.example.org,2026",
        "digest.example.org,2026-01",
        "digest.example.org,2026-01-15",
        "example-news.org,1999",
        "x,2000",
    ],
)
def test_valid_id_authority_is_accepted(authority):
    config, report = content_settings({"DIGEST_CONTENT": {"id_authority": authority}})
    assert not report
    assert config == {**CONTENT_DEFAULTS, "id_authority": authority}


@pytest.mark.parametrize(
    "authority",
    [
        None,
        "",
        "digest.example.org",
        "Digest.Example.org,2026",
        "digest.example.org,26",
        "digest.example.org, 2026",
        "https://digest.example.org,2026",
        "-digest.org,2026",
        "digest.org.,2026",
        "digest.example.org,2026-1",
        "digest.example.org,2026-01-01-01",
        2026,
    ],
)
def test_missing_or_invalid_id_authority_is_an_error(authority):
    _, report = content_settings({"DIGEST_CONTENT": {"id_authority": authority}})
    assert [(p.field, p.message) for p in report.errors] == [
        (
            'DIGEST_CONTENT["id_authority"]',
            f"{authority!r} is not a tag: URI authority.",
        )
    ]
    assert "Never change it after publishing" in report.errors[0].fix


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


# --- swap_into_place / prune_builds --------------------------------------------------


def staged(builds: Path, name: str, page: str = "new") -> Path:
    """A build folder newsdigest made: its marker record sits beside it."""
    folder = builds / name
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(page)
    (builds / f"{name}.json").write_text('{"newsdigest": 1}')
    return folder


def test_swap_replaces_the_output_symlink_in_one_rename(tmp_path, monkeypatch):
    builds = tmp_path / ".output.builds"
    output = tmp_path / "output"
    old = staged(builds, "site-old", "old")
    output.symlink_to(os.path.relpath(old, tmp_path))
    staging = staged(builds, "staging-20260101T000000-abc")

    seen = []
    real_replace = os.replace

    def spying_replace(src, dst):
        # The live site is still the old one, complete, until the rename.
        seen.append((Path(dst), (output / "index.html").read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(publish.os, "replace", spying_replace)
    swap_into_place(staging, output, {"pages": 1})

    assert [s for s in seen if s[0] == output] == [(output, "old")]
    assert os.readlink(output) == ".output.builds/site-20260101T000000-abc"
    assert (output / "index.html").read_text() == "new"
    assert not staging.exists()
    assert old.is_dir()  # kept for a rollback; prune_builds decides
    record = builds / "site-20260101T000000-abc.json"
    assert json.loads(record.read_text()) == {"newsdigest": 1, "pages": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.builds", "output"]


def test_swap_turns_a_plain_output_folder_into_a_kept_build(tmp_path):
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("hand-made")
    staging = staged(tmp_path / ".output.builds", "staging-1-x")

    swap_into_place(staging, output, {})

    assert output.is_symlink()
    assert os.readlink(output) == ".output.builds/site-1-x"
    assert (output / "index.html").read_text() == "new"
    (previous,) = (tmp_path / ".output.builds").glob("previous-*")
    assert (previous / "index.html").read_text() == "hand-made"


def test_swap_over_a_dangling_symlink(tmp_path):
    output = tmp_path / "output"
    output.symlink_to(".output.builds/site-deleted")
    staging = staged(tmp_path / ".output.builds", "staging-2-y")
    swap_into_place(staging, output, {})
    assert os.readlink(output) == ".output.builds/site-2-y"


def test_prune_keeps_live_build_and_newest_others_and_drops_staging(tmp_path):
    builds = tmp_path / ".output.builds"
    output = tmp_path / "output"
    ages = {"site-a": 100, "site-b": 200, "site-c": 300, "site-d": 400, "site-e": 500}
    for name, mtime in ages.items():
        folder = staged(builds, name)
        os.utime(folder, (mtime, mtime))
    staged(builds, "staging-crashed-1")
    staged(builds, "staging-crashed-2")
    output.symlink_to(".output.builds/site-b")  # live is not the newest (rollback)

    prune_builds(output, keep=3)

    assert sorted(p.name for p in builds.iterdir()) == [
        "site-b",
        "site-b.json",
        "site-d",
        "site-d.json",
        "site-e",
        "site-e.json",
    ]
    assert (output / "index.html").exists()


@pytest.mark.parametrize(("keep", "left"), [(1, ["site-b"]), (2, ["site-b", "site-c"])])
def test_prune_keep_counts_the_live_build(tmp_path, keep, left):
    builds = tmp_path / ".output.builds"
    for mtime, name in enumerate(["site-a", "site-b", "site-c"], start=1):
        os.utime(staged(builds, name), (mtime, mtime))
    (tmp_path / "output").symlink_to(".output.builds/site-b")

    prune_builds(tmp_path / "output", keep=keep)

    assert sorted(p.name for p in builds.iterdir() if p.is_dir()) == left
