"""DIGEST_DEPLOY validation, defaults, target lookup and the site-folder guard."""

from __future__ import annotations

import pytest

from newsdigest.deploy import (
    DeployResult,
    deploy,
    target_options,
    validate_deploy_settings,
)
from newsdigest.problems import DigestError
from tests.helpers import make_site

GOOD = {
    "DIGEST_DEPLOY": {
        "targets": {
            "pages": {"kind": "github-pages", "cname": "news.example.org"},
            "server": {"kind": "rsync", "destination": "user@host:/var/www/digest"},
            "bucket": {"kind": "s3", "bucket": "digest", "precompressed": "br"},
        },
    }
}


def fields(problems) -> list[str]:
    return sorted(problem.field for problem in problems)


def deploy_settings(**targets) -> dict:
    return {"DIGEST_DEPLOY": {"targets": targets}}


def test_good_settings_and_no_settings_have_no_problems():
    assert validate_deploy_settings(GOOD) == []
    assert validate_deploy_settings({}) == []


def test_unknown_kind_names_the_key_and_the_kinds():
    (problem,) = validate_deploy_settings(deploy_settings(cdn={"kind": "ftp"}))

    assert problem.field == 'DIGEST_DEPLOY["targets"]["cdn"]["kind"]'
    assert problem.path == "publishconf.py"
    assert problem.message == "unknown kind 'ftp'."
    assert problem.fix == "Use one of: github-pages, rsync, s3."


def test_missing_required_keys_and_unknown_keys():
    problems = validate_deploy_settings(
        deploy_settings(
            bucket={"kind": "s3", "bucekt": "digest"},
            server={"kind": "rsync"},
        )
    )

    assert fields(problems) == [
        'DIGEST_DEPLOY["targets"]["bucket"]["bucekt"]',
        'DIGEST_DEPLOY["targets"]["bucket"]["bucket"]',
        'DIGEST_DEPLOY["targets"]["server"]["destination"]',
    ]
    assert all(problem.fix for problem in problems)


@pytest.mark.parametrize(
    ("target", "key", "message"),
    [
        (
            {"kind": "rsync", "destination": "/srv/www", "delete": "yes"},
            "delete",
            "True or False",
        ),
        (
            {"kind": "rsync", "destination": "/srv/www", "options": "--checksum"},
            "options",
            "a list",
        ),
        (
            {"kind": "rsync", "destination": "/srv/www", "options": [1]},
            "options",
            "strings",
        ),
        ({"kind": "rsync", "destination": "/"}, "destination", "root directory"),
        ({"kind": "s3", "bucket": ""}, "bucket", "is empty"),
        (
            {"kind": "s3", "bucket": "b", "precompressed": "zstd"},
            "precompressed",
            "'zstd'",
        ),
        ({"kind": "s3", "bucket": "b", "region": 1}, "region", "a string or None"),
        ({"kind": "github-pages", "push": 1}, "push", "True or False"),
        ({"kind": "github-pages", "cname": ["a"]}, "cname", "a string or None"),
    ],
)
def test_wrong_values_name_the_key(target, key, message):
    (problem,) = validate_deploy_settings(deploy_settings(t=target))

    assert problem.field == f'DIGEST_DEPLOY["targets"]["t"]["{key}"]'
    assert message in problem.message


def test_cache_control_and_top_level_keys_are_checked():
    settings = deploy_settings(
        b={"kind": "s3", "bucket": "b", "cache_control": {"images": "no-cache"}}
    )
    settings["DIGEST_DEPLOY"].update(precompress=["gzip"], target={})

    assert fields(validate_deploy_settings(settings)) == [
        'DIGEST_DEPLOY["precompress"]',
        'DIGEST_DEPLOY["target"]',
        'DIGEST_DEPLOY["targets"]["b"]["cache_control"]["images"]',
    ]


def test_options_merge_over_kind_defaults():
    options = target_options(
        deploy_settings(
            b={"kind": "s3", "bucket": "b", "cache_control": {"html": "no-cache"}}
        ),
        "b",
    )

    assert options["delete"] is False
    assert options["prefix"] == ""
    assert options["cache_control"]["html"] == "no-cache"
    assert options["cache_control"]["assets"] == "public, max-age=31536000, immutable"


def test_unknown_target_lists_the_configured_ones(tmp_path):
    site = make_site(tmp_path / "output")

    with pytest.raises(
        DigestError,
        match=r"target 'prod'\. Configured targets: bucket, pages, server",
    ):
        deploy(site, GOOD, "prod")
    with pytest.raises(DigestError, match="Configured targets: none"):
        deploy(site, {}, "prod")


def test_invalid_settings_refuse_with_the_report(tmp_path):
    site = make_site(tmp_path / "output")

    with pytest.raises(DigestError, match="bucket") as error:
        deploy(site, deploy_settings(b={"kind": "s3"}), "b")
    assert len(error.value.report.errors) == 1


@pytest.mark.parametrize("files", [None, {}, {"feeds/all.atom.xml": "<feed/>"}])
def test_missing_or_empty_site_is_refused(tmp_path, files):
    site = tmp_path / "output"
    if files is not None:
        make_site(site, files)
    site_settings = deploy_settings(
        server={"kind": "rsync", "destination": str(tmp_path / "www")}
    )

    with pytest.raises(DigestError, match=r"no index\.html"):
        deploy(site, site_settings, "server")
    assert not (tmp_path / "www").exists()


def test_result_summary_is_one_line():
    result = DeployResult("bucket", "s3", uploaded=["a.css"], unchanged=["index.html"])

    assert result.summary() == (
        "deployed to bucket (s3): 1 uploaded, 0 updated, 0 deleted, 1 unchanged"
    )
