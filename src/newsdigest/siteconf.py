"""The Pelican settings every newsdigest site shares: plugins, theme, addresses.

A site's ``pelicanconf.py`` starts with ``from newsdigest.siteconf import *`` and
then sets only what is its own (name, URL, timezone, language, the ``DIGEST_*``
dicts). Keeping the layout here means this repository's demo site and every
site ``newsdigest init`` writes read the same settings from one place, and an
upgrade of newsdigest brings its address scheme and plugin list along. Any name
may be overridden after the import, e.g. ``THEME = "themes/digest"`` after
``newsdigest theme copy``.
"""

from __future__ import annotations

from newsdigest import theme_path as _theme_path

PATH = "content"
OUTPUT_PATH = "output"
THEME = _theme_path("digest")
# Month and day names are rendered by the theme in English, whatever the machine's
# locale, so builds are identical everywhere.
LOCALE = ("C.UTF-8", "C")

# newsdigest's plugins, in the order they run. The list alone says what runs.
PLUGINS = [
    "newsdigest.plugins.reader",  # YAML front matter, validation, sanitised bodies
    "newsdigest.plugins.schedule",  # drafts and items dated in the future
    "newsdigest.plugins.links",  # links.yml: originals gone, snapshots instead
    "newsdigest.plugins.sources",  # a page per source (outlet) and a sources index
    "newsdigest.plugins.feeds",  # Atom, RSS and JSON Feed: all, topics, tags
    "newsdigest.plugins.editions",  # daily or weekly editions, feed, email
    "newsdigest.plugins.discovery",  # related stories, cards, JSON-LD, sitemaps, OPML
    "newsdigest.plugins.search",  # Pagefind full-text search of item bodies
    "newsdigest.plugins.aliases",  # stable addresses: redirects, moved-item guard
    "newsdigest.plugins.theme",  # template filters and the context the theme reads
    "newsdigest.plugins.writer",  # checks every page from the string it writes
    "newsdigest.plugins.publish",  # staging, site checks, atomic swap, build summary
]

ARTICLE_PATHS = ["items"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
# Editor backups, and the source feeds `newsdigest ingest` reads: never published.
# (newsdigest.plugins.reader adds the topics file.)
IGNORE_FILES = [".#*", "sources.yml"]
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"
DRAFT_URL = "drafts/{slug}/"
DRAFT_SAVE_AS = "drafts/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DRAFT_PAGE_URL = "drafts/pages/{slug}/"
DRAFT_PAGE_SAVE_AS = "drafts/pages/{slug}/index.html"
# An item or page in another language than DEFAULT_LANG (`lang: fr`) keeps the
# same address; Pelican's default would publish it at "{slug}-{lang}.html".
ARTICLE_LANG_URL, ARTICLE_LANG_SAVE_AS = ARTICLE_URL, ARTICLE_SAVE_AS
DRAFT_LANG_URL, DRAFT_LANG_SAVE_AS = DRAFT_URL, DRAFT_SAVE_AS
PAGE_LANG_URL, PAGE_LANG_SAVE_AS = PAGE_URL, PAGE_SAVE_AS
DRAFT_PAGE_LANG_URL, DRAFT_PAGE_LANG_SAVE_AS = DRAFT_PAGE_URL, DRAFT_PAGE_SAVE_AS
CATEGORY_URL = "topics/{slug}/"
CATEGORY_SAVE_AS = "topics/{slug}/index.html"
CATEGORIES_URL = "topics/"
CATEGORIES_SAVE_AS = "topics/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "archive/"
ARCHIVES_SAVE_AS = "archive/index.html"
MONTH_ARCHIVE_URL = "archive/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archive/{date:%Y}/{date:%m}/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "404"]
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "source": None}
INDEX_SAVE_AS = "index.html"  # "404" is written to 404.html
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None

# Feeds are written by newsdigest.plugins.feeds (stable tag: ids, sanitised content);
# Pelican's own feeds stay off.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

MENUITEMS = ()
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False
