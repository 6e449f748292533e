"""Whole builds per host (DIGEST_PUBLISH["host"]): real 301s and headers for
Netlify and Cloudflare Pages, redirect pages and a <meta> policy elsewhere,
precompression only where it is served, host limits before anything ships."""

from __future__ import annotations

import os
import re

import pytest

from newsdigest.publishing.hosts import content_security_policy
from tests.helpers import item, output_of
from tests.test_deploy_cli import assert_refused, newsdigest_deploy
from tests.test_hosts import parse_headers, parse_redirects

pytestmark = pytest.mark.slow

BUILD_DATE = "2022-02-01T00:00:00+00:00"
META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def moved_project(make_project):
    project = make_project()
    project.write(
        "content/items/live.md",
        item(title="Live story", slug="live", date="2022-01-10", aliases=["old/"]),
    )
    return project


def build(project, host, **publish):
    return project.build(
        DIGEST_PUBLISH={"host": host, "build_date": BUILD_DATE, **publish}
    )


@pytest.mark.parametrize("host", ["netlify", "cloudflare-pages"])
def test_config_file_hosts_get_real_301s_and_the_policy_as_a_header(make_project, host):
    project = moved_project(make_project)
    result = build(project, host)
    assert result.returncode == 0, output_of(result)
    site = project.output
    assert parse_redirects(project.page("_redirects")) == [
        ["/old/", "/2022/01/live/", "301"]
    ]
    assert not (site / "old").exists()  # a page there would shadow the rule
    rules = dict(parse_headers(project.page("_headers")))
    assert dict(rules["/*"])["Content-Security-Policy"] == content_security_policy()
    assert "/pagefind/fragment/*" in rules
    for page in site.rglob("*.html"):
        assert not META.search(page.read_text()), page  # the header says it
    assert re.search(
        r"newsdigest: \d+ files of 20,000 for Cloudflare", result.stdout
    ) or (host == "netlify" and "files for Netlify" in result.stdout)


@pytest.mark.parametrize("host", ["github-pages", "s3", "rsync"])
def test_other_hosts_keep_redirect_pages_and_get_the_policy_in_every_head(
    make_project, host
):
    project = moved_project(make_project)
    result = build(project, host)
    assert result.returncode == 0, output_of(result)
    site = project.output
    assert not (site / "_redirects").exists() and not (site / "_headers").exists()
    assert 'http-equiv="refresh"' in project.page("old/index.html")
    # Every page of the theme; the web copies of edition emails are emails
    # (their styles inline), not pages of the theme.
    pages = [p for p in site.rglob("*.html") if p.name != "email.html"]
    assert len(pages) > 10 and list(site.rglob("email.html"))
    wanted = content_security_policy(meta=True)
    for page in pages:
        text = page.read_text()
        found = META.search(text)
        assert found and found.group(1).replace("&#39;", "'") == wanted, page
        # First in <head>: a policy covers only what comes after it.
        assert text.index("Content-Security-Policy") < text.index("<link"), page
    assert "frame-ancestors" not in wanted


def test_precompression_follows_the_host(make_project):
    project = moved_project(make_project)
    result = build(project, "rsync", precompress=["gzip"])
    assert result.returncode == 0, output_of(result)
    assert (project.output / "index.html.gz").is_file()

    refused = build(project, "cloudflare-pages", precompress=["gzip", "br"])
    out = output_of(refused)
    assert refused.returncode != 0
    assert 'DIGEST_PUBLISH["precompress"]' in out and "compresses by itself" in out


def test_a_site_over_the_host_limits_is_not_published(make_project):
    project = moved_project(make_project)
    assert build(project, "cloudflare-pages").returncode == 0
    before = os.readlink(project.output)
    result = build(project, "cloudflare-pages", host_limits={"files": 10})
    out = " ".join(output_of(result).split())
    assert result.returncode != 0
    assert "Refusing to publish for Cloudflare Pages" in out
    assert re.search(r"\d+ files, over the limit of 10 on Cloudflare Pages\. Fix:", out)
    assert "Traceback" not in out
    assert os.readlink(project.output) == before  # the good site stays


@pytest.fixture
def rsync_project(make_project, tmp_path):
    """Published with publishconf.py for an rsync host, with a local target."""
    project = make_project()
    project.write("content/items/one.md", item())
    www = tmp_path / "www"
    with (project.root / "publishconf.py").open("a") as conf:
        conf.write(
            f'\nDIGEST_DEPLOY = {{"targets": {{"local": {{"kind": "rsync", '
            f'"destination": "{www}"}}}}}}\n'
            'DIGEST_PUBLISH = {**DIGEST_PUBLISH, "host": HOST, "precompress": []}\n'
        )
    project.www = www
    return project


def publish(project, host: str) -> None:
    conf = project.root / "publishconf.py"
    conf.write_text(f"HOST = {host!r}\n" + conf.read_text())
    built = project.build("publishconf.py")
    assert built.returncode == 0, output_of(built)


def test_deploy_refuses_a_site_over_the_host_limits(rsync_project):
    publish(rsync_project, "rsync")
    with (rsync_project.root / "publishconf.py").open("a") as conf:
        conf.write('DIGEST_PUBLISH["host_limits"] = {"files": 5}\n')
    done = newsdigest_deploy(rsync_project, "local")
    assert_refused(done, "Refusing to deploy to 'local' (an rsync server): ")
    assert re.search(r"\d+ files, over the limit of 5 on an rsync server", done.stderr)
    assert not rsync_project.www.exists()


def test_deploy_refuses_a_build_for_a_host_the_target_is_not(rsync_project):
    publish(rsync_project, "netlify")
    done = newsdigest_deploy(rsync_project, "local")
    assert_refused(
        done,
        "the site was built for Netlify, whose _redirects and _headers an rsync "
        'server does not read. Set DIGEST_PUBLISH["host"] = "rsync"',
    )
    assert not rsync_project.www.exists()
