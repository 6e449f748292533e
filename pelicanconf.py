"""Development settings: relative URLs, built into output-dev/ and served
locally by `invoke serve`.

The plugins, the theme and the address layout every newsdigest site shares come
from `newsdigest.siteconf`; this file sets what is this site's own.
`publishconf.py` imports it and adds what production needs.
"""

from newsdigest.siteconf import *  # noqa: F403

SITENAME = "The Sample Digest"
SITEURL = ""
RELATIVE_URLS = True
# Development builds (`invoke build`, `serve`, `livereload`) have an output of
# their own: a preview never replaces the production build in output/ that
# `invoke deploy` sends.
OUTPUT_PATH = "output-dev"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

DIGEST_CONTENT = {
    # tag: URI authority for item ids: a domain you own and the year you started.
    # Never change it after publishing: every feed entry's id depends on it.
    "id_authority": "digest.example.org,2026",
    "topics_file": "topics.yml",
    "site_description": (
        "Stories worth keeping, summarised by our curators, with a link to every "
        "original."
    ),
    "footer": "Sample digest built with newsdigest.",
}
DIGEST_FEEDS = {
    "formats": ["atom", "rss"],
    "limit": 30,
    "per_topic": True,
    "per_tag": True,
    # Feeds need absolute links even in development.
    "base_url": "http://127.0.0.1:8000",
}
DIGEST_EDITIONS = {
    "period": "weekly",  # ISO weeks in TIMEZONE; "daily", or "off"
    "home_latest": True,
    "feed_formats": ["atom", "rss", "json"],
    "email_from": "The Sample Digest <editions@digest.example.org>",
    # A page of your mailing service, or a mailto: address as here. A URL on
    # this site must be a page the site has: the link check follows it.
    "unsubscribe_url": "mailto:editions@digest.example.org?subject=unsubscribe",
    # SMTP for `newsdigest send-edition`; the password only from this variable.
    "smtp_host": "localhost",
    "smtp_port": 587,
    "smtp_starttls": True,
    "smtp_user": None,
    "smtp_password_env": "NEWSDIGEST_SMTP_PASSWORD",
}
DIGEST_PUBLISH = {
    "staging": True,
    "keep_builds": 2,
    # A development build may shrink freely.
    "max_page_loss": 1.0,
    # A fixed build date keeps the sample site byte-identical between builds.
    "build_date": "2022-02-01T00:00:00+00:00",
}
