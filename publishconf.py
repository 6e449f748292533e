"""Production settings: absolute URLs, the page-loss guard and deploy targets.

Build with `invoke publish` (or `pelican content -s publishconf.py`); deploy with
`invoke deploy TARGET`.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = "https://digest.example.org"
RELATIVE_URLS = False
# The production build, the one `invoke deploy` sends (development builds go to
# output-dev/).
OUTPUT_PATH = "output"

DIGEST_FEEDS = {**DIGEST_FEEDS, "base_url": None}  # noqa: F405  (use SITEURL)
DIGEST_PUBLISH = {
    **DIGEST_PUBLISH,  # noqa: F405
    # Refuse to replace the published site with one that lost over half its pages.
    "max_page_loss": 0.5,
    "build_date": None,  # SOURCE_DATE_EPOCH, else the newest item's date
    # Who serves the site decides what the build writes and which limits are
    # checked: "netlify", "cloudflare-pages", "github-pages", "s3", "rsync" or
    # "generic". Netlify, Cloudflare and GitHub Pages compress by themselves and
    # need "precompress": [] (siblings are for S3 and nginx gzip_static).
    "host": "generic",
    "precompress": ["gzip", "br"],
}

DIGEST_DEPLOY = {
    "targets": {
        "pages": {"kind": "github-pages", "branch": "gh-pages", "remote": "origin"},
        "server": {
            "kind": "rsync",
            "destination": "digest@host.example.org:/srv/digest",
            # Safe: only a build that passed its checks is ever deployed.
            "delete": True,
        },
        "bucket": {
            "kind": "s3",
            "bucket": "digest-example-org",
            "region": "us-east-1",
            "precompressed": "gzip",
            "delete": True,
        },
    },
}
