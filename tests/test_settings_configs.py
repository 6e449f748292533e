"""newsdigest.settings: each feature's config checked once, kept frozen, picklable."""

from __future__ import annotations

import copy
import pickle

import pytest

from newsdigest.problems import DigestError
from newsdigest.settings import (
    Config,
    config_key,
    content_config,
    feature_config,
    freeze,
    publish_config,
)

AUTHORITY = {"id_authority": "digest.example.org,2026"}


def test_freeze_makes_dicts_configs_and_lists_tuples():
    frozen = freeze({"formats": ["atom", "rss"], "labels": {"news": {"name": "N"}}})
    assert frozen == {"formats": ("atom", "rss"), "labels": {"news": {"name": "N"}}}
    assert isinstance(frozen["labels"]["news"], Config)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.__setitem__("footer", "x"),
        lambda c: c.update(footer="x"),
        lambda c: c.pop("footer"),
        lambda c: c.setdefault("new", 1),
        lambda c: c.clear(),
        lambda c: c["labels"]["news"].__setitem__("name", "x"),
        lambda c: c.__delitem__("footer"),
    ],
)
def test_a_config_cannot_change(change):
    config = content_config({"DIGEST_CONTENT": AUTHORITY})
    with pytest.raises(TypeError, match="read-only"):
        change(config)
    assert config["footer"] == "Built with newsdigest."


def test_a_config_pickles_and_copies_as_itself():
    config = content_config({"DIGEST_CONTENT": AUTHORITY})
    for again in (pickle.loads(pickle.dumps(config)), copy.deepcopy(config)):
        assert again == config
        assert type(again) is Config
        assert type(again["labels"]) is Config
    assert repr(config) == repr(dict(config))  # the item cache keys by repr


def test_the_check_runs_once_per_settings_object():
    calls = []

    def check(settings):
        calls.append(settings["DIGEST_X"])
        return {"a": [1]}

    settings = {"DIGEST_X": {"a": 1}}
    first = feature_config(settings, "DIGEST_X", check)
    assert feature_config(settings, "DIGEST_X", check) is first
    assert settings[config_key("DIGEST_X")] is first
    assert first == {"a": (1,)}
    assert len(calls) == 1
    # New settings (Pelican re-reads an edited settings file): checked again.
    feature_config({"DIGEST_X": {"a": 2}}, "DIGEST_X", check)
    assert len(calls) == 2


def test_a_refused_config_is_not_kept_and_refused_again():
    settings = {"DIGEST_PUBLISH": {"keep_builds": 0, "lock_timeout": -1.0}}
    for _ in range(2):
        with pytest.raises(DigestError) as refused:
            publish_config(settings)
        text = str(refused.value)
        assert 'DIGEST_PUBLISH["keep_builds"]' in text
        assert 'DIGEST_PUBLISH["lock_timeout"]' in text  # every problem at once
    assert config_key("DIGEST_PUBLISH") not in settings


def test_content_config_refuses_what_content_settings_reports():
    with pytest.raises(DigestError, match=r'DIGEST_CONTENT\["id_authority"\]'):
        content_config({})


def test_after_start_up_every_config_is_kept_and_the_settings_pickle(
    make_project, monkeypatch
):
    """Pelican pickles its settings (caches, workers): the kept configs too."""
    from pelican import Pelican
    from pelican.settings import read_settings

    project = make_project()
    monkeypatch.chdir(project.root)
    settings = Pelican(read_settings("pelicanconf.py")).settings
    kept = {key for key, value in settings.items() if isinstance(value, Config)}
    assert kept == {
        config_key(name)
        for name in (
            "DIGEST_CONTENT",
            "DIGEST_FEEDS",
            "DIGEST_DISCOVERY",
            "DIGEST_SEARCH",
            "DIGEST_SCHEDULE",
            "DIGEST_EDITIONS",
            "DIGEST_PUBLISH",
            "DIGEST_ARCHIVE",
        )
    }
    again = pickle.loads(pickle.dumps(settings))
    assert {key: again[key] for key in kept} == {key: settings[key] for key in kept}


def test_a_private_key_in_the_settings_file_does_not_skip_the_check():
    """Only a Config made by the check is trusted; a dict a settings file
    puts under the private key is checked over."""
    settings = {
        "DIGEST_PUBLISH": {"keep_builds": 0},
        config_key("DIGEST_PUBLISH"): {"keep_builds": 3, "checks": []},
    }
    with pytest.raises(DigestError, match=r'DIGEST_PUBLISH\["keep_builds"\]'):
        publish_config(settings)
