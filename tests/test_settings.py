"""Unit tests for newsdigest.settings: merging a feature's settings over its
defaults, and the content settings."""

from __future__ import annotations

import pytest

from newsdigest.problems import Report
from newsdigest.settings import (
    CONTENT_DEFAULTS,
    FEEDS_DEFAULTS,
    PUBLISH_DEFAULTS,
    content_settings,
    merge,
)

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
