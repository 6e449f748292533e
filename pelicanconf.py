"""Development settings: relative URLs, served locally by `invoke serve`.

`publishconf.py` imports these and adds what production needs.
"""

SITENAME = "The Sample Digest"
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
OUTPUT_PATH = "output"
THEME = "themes/digest"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
# Month and day names are rendered by the theme in English, whatever the machine's
# locale, so builds are identical everywhere.
LOCALE = ("C.UTF-8", "C")

# newsdigest's plugins, in the order they run. The list alone says what runs.
PLUGINS = [
    "newsdigest.reader",  # YAML front matter, validation, sanitised bodies
    "newsdigest.sources",  # a page per source (outlet) and a sources index
    "newsdigest.feeds",  # Atom and RSS for everything, topics and tags
    "newsdigest.discovery",  # related stories, cards, JSON-LD, sitemaps, OPML
    "newsdigest.search",  # Pagefind full-text search of item bodies
    "newsdigest.theme",  # template filters and the context the theme reads
    "newsdigest.publish",  # staging, site checks, atomic swap, build summary
]

DIGEST_CONTENT = {
    # tag: URI authority for item ids: a domain you own and the year you started.
    # Never change it after publishing: every feed entry's id depends on it.
    "id_authority": "digest.example.org,2026",
    "topics_file": "topics.yml",
    "site_description": "Stories worth keeping, summarised by our curators, "
    "with a link to every original.",
}
DIGEST_FEEDS = {
    "formats": ["atom", "rss"],
    "limit": 30,
    "per_topic": True,
    "per_tag": True,
    # Feeds need absolute links even in development.
    "base_url": "http://127.0.0.1:8000",
}
DIGEST_PUBLISH = {
    "staging": True,
    "keep_builds": 2,
    # A development build may shrink freely.
    "max_page_loss": 1.0,
    # A fixed build date keeps the sample site byte-identical between builds.
    "build_date": "2022-02-01T00:00:00+00:00",
}

ARTICLE_PATHS = ["items"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
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
# An item or page in another language than DEFAULT_LANG (`lang: fr`) keeps the
# same address; Pelican's default would publish it at "{slug}-{lang}.html".
ARTICLE_LANG_URL, ARTICLE_LANG_SAVE_AS = ARTICLE_URL, ARTICLE_SAVE_AS
DRAFT_LANG_URL, DRAFT_LANG_SAVE_AS = DRAFT_URL, DRAFT_SAVE_AS
PAGE_LANG_URL, PAGE_LANG_SAVE_AS = PAGE_URL, PAGE_SAVE_AS
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

# Feeds are written by newsdigest.feeds (stable tag: ids, sanitised content);
# Pelican's own feeds stay off.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

MENUITEMS = ()
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False
