"""What the build writes for each host (newsdigest.publishing.hosts): the
_redirects and _headers files parsed back, the one policy, the host limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.problems import DigestError
from newsdigest.publishing.hosts import (
    CACHE_CONTROL,
    HOSTS,
    Limits,
    cache_class,
    content_security_policy,
    headers_file,
    host_limits,
    limit_problems,
    meta_policy,
    redirects_file,
    site_size,
)
from newsdigest.settings import publish_settings

IMMUTABLE = "public, max-age=31536000, immutable"
FILES = [
    "index.html",
    "2022/01/a/index.html",
    "feeds/all.atom.xml",
    "theme/css/digest.css",
    "pagefind/pagefind.js",
    "pagefind/pagefind.en_4f8d2d1bd7.pf_meta",
    "pagefind/fragment/en_1f47f99.pf_fragment",
    "pagefind/fragment/en_7279791.pf_fragment",  # a hash of digits only
    "pagefind/index/en_a97d9a2.pf_index",
    "images/photo.20240115.jpg",  # a date, not a hash
]


def parse_redirects(text: str) -> list[list[str]]:
    """Netlify's and Cloudflare's syntax: one rule a line, fields split by spaces."""
    return [
        line.split()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def parse_headers(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """A path on its own line, then its indented ``Name: value`` lines."""
    rules: list[tuple[str, list[tuple[str, str]]]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t":
            name, _, value = line.strip().partition(":")
            rules[-1][1].append((name.strip(), value.strip()))
        else:
            rules.append((line, []))
    return rules


def matches(pattern: str, path: str) -> bool:
    return path == pattern or (pattern.endswith("*") and path.startswith(pattern[:-1]))


def test_every_alias_is_one_permanent_redirect_under_the_site_path():
    text = redirects_file(
        [("2021/old-slug/", "2022/01/a/"), ("news/older.html", "2022/01/b/")],
        "https://example.org/digest/",
    )
    assert parse_redirects(text) == [
        ["/digest/2021/old-slug/", "/digest/2022/01/a/", "301"],
        ["/digest/news/older.html", "/digest/2022/01/b/", "301"],
    ]


@pytest.mark.parametrize(
    "alias",
    [
        "a b/",  # a space would end the path and start the target
        "a\n/* /evil 200\n",  # a newline would add a rule
        "*",  # a splat would redirect every address
        "old/:slug/",  # a placeholder
        "old/ !",  # forced
        "#comment",
        "a\tb",
        "old/%2A/",  # an escape stays an escape
    ],
)
def test_no_address_can_add_a_rule_a_splat_or_a_placeholder(alias):
    (rule,) = parse_redirects(redirects_file([(alias, "2022/01/a/")], ""))
    assert len(rule) == 3 and rule[1:] == ["/2022/01/a/", "301"]
    assert rule[0].startswith("/")
    assert not set(rule[0]) & set("*: !#\t\n")


@pytest.mark.parametrize("host", ["netlify", "cloudflare-pages"])
def test_headers_send_the_policy_everywhere_and_a_year_only_to_hashed_files(host):
    rules = parse_headers(headers_file(host, FILES, "https://example.org"))
    first_path, first = rules[0]
    assert first_path == "/*"
    assert dict(first) == {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Cache-Control": CACHE_CONTROL["html"],
    }

    def cache_of(path: str) -> list[str]:
        """Cache-Control as the host combines it: Netlify keeps the most
        specific rule's value, Cloudflare joins them unless detached."""
        values: list[str] = []
        for pattern, headers in rules:
            if not matches(pattern, "/" + path):
                continue
            for name, value in headers:
                if name == "! Cache-Control":
                    values = []
                elif name == "Cache-Control":
                    values = [value] if host == "netlify" else [*values, value]
        return values

    for path in FILES:
        wanted = IMMUTABLE if cache_class(path) == "assets" else CACHE_CONTROL["html"]
        assert cache_of(path) == [wanted], path
    assert cache_class("pagefind/fragment/en_7279791.pf_fragment") == "assets"
    assert cache_class("images/photo.20240115.jpg") == "default"
    patterns = [pattern for pattern, _ in rules]
    assert "/pagefind/fragment/*" in patterns and "/pagefind/index/*" in patterns
    assert "/pagefind/*" not in patterns  # pagefind.js changes under its name
    detach = [n for _, headers in rules for n, _ in headers if n.startswith("!")]
    assert bool(detach) is (host == "cloudflare-pages")  # Netlify refuses "!"


@pytest.mark.parametrize("host", ["netlify", "cloudflare-pages"])
def test_edition_emails_keep_their_inline_styles_and_nothing_else_does(host):
    files = [*FILES, *(f"editions/2022-W0{n}/email.html" for n in range(1, 8))]
    rules = parse_headers(headers_file(host, files, ""))
    (email,) = [(p, h) for p, h in rules if p.endswith("email.html")]
    assert email[0] == "/editions/:edition/email.html"  # one rule for them all
    policy = dict(email[1])["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert policy.replace(" 'unsafe-inline'", "") == content_security_policy()
    assert ("! Content-Security-Policy" in dict(email[1])) is (
        host == "cloudflare-pages"
    )
    assert "unsafe-inline" not in dict(rules[0][1])["Content-Security-Policy"]


def test_hostile_file_names_stay_one_path_in_the_headers_file():
    rules = parse_headers(
        headers_file("netlify", ["images/a b*:x-9f86d081.png", "x/y"], "")
    )
    assert [p for p, _ in rules] == ["/*", "/images/*"]


def test_one_policy_string_for_headers_and_meta():
    policy = content_security_policy()
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    meta = meta_policy("github-pages")
    assert meta == policy.replace("; frame-ancestors 'none'", "")
    assert meta_policy("s3") == meta_policy("rsync") == meta
    # Hosts that send it as a header, and unknown hosts (the development server
    # injects its reload script), get no <meta>.
    assert meta_policy("netlify") == meta_policy("generic") == ""


def test_limits_name_the_numbers_and_the_fix(tmp_path: Path):
    (tmp_path / "a").mkdir()
    for n in range(5):
        (tmp_path / "a" / f"{n}.html").write_text("x" * 10)
    (tmp_path / "big.css").write_bytes(b"y" * 3000)
    size = site_size(tmp_path)
    assert (size.files, size.largest) == (6, ("big.css", 3000))
    limits = host_limits("cloudflare-pages", {"files": 5, "file_bytes": 2048})
    files, largest = limit_problems(size, "cloudflare-pages", limits)
    assert files.startswith("6 files, over the limit of 5 on Cloudflare Pages. Fix:")
    assert 'DIGEST_PUBLISH["precompress"] = []' in files
    assert 'DIGEST_PUBLISH["host_limits"]' in files
    assert largest.startswith(
        "big.css is 2.9 KiB, over the limit of 2.0 KiB per file on Cloudflare Pages."
    )
    assert "\n" not in files + largest
    assert not limit_problems(size, "cloudflare-pages", host_limits("cloudflare-pages"))
    assert not limit_problems(size, "rsync", Limits())
    assert HOSTS["cloudflare-pages"].limits.files == 20_000
    assert HOSTS["cloudflare-pages"].limits.file_bytes == 25 * 1024 * 1024
    assert HOSTS["github-pages"].limits.site_bytes == 1_000_000_000


@pytest.mark.parametrize(
    ("given", "field", "words"),
    [
        ({"host": "vercel"}, "host", "is not a known host"),
        ({"host": "netlify", "precompress": ["gzip"]}, "precompress", "by itself"),
        ({"host": "github-pages", "precompress": ["br"]}, "precompress", "siblings"),
        ({"host_limits": {"files": 0}}, "host_limits", "not a known limit"),
        ({"host_limits": {"pages": 5}}, "host_limits", "not a known limit"),
        ({"host_limits": {"files": True}}, "host_limits", "not a known limit"),
    ],
)
def test_host_settings_are_checked(given, field, words):
    with pytest.raises(DigestError) as error:
        publish_settings({"DIGEST_PUBLISH": given})
    (problem,) = error.value.report.errors
    assert problem.field == f'DIGEST_PUBLISH["{field}"]' and words in problem.message


@pytest.mark.parametrize("host", ["s3", "rsync", "generic"])
def test_precompression_is_for_hosts_that_serve_siblings(host):
    config = publish_settings(
        {"DIGEST_PUBLISH": {"host": host, "precompress": ["gzip", "br"]}}
    )
    assert config["precompress"] == ["gzip", "br"]
