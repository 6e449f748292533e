"""A deterministic synthetic digest, written for newsdigest, vanilla Pelican and Hugo.

The benchmark compares three generators on the same stories, so the corpus is a
list of plain ``Item`` records made once from a seed and then written in each
generator's own format. It is shaped like a real digest rather than a uniform
one: five topics, tags with a long tail (a few tags on many items, most tags on
one or two, as in ``content/``), outlets with a long tail too, one- or
two-sentence summaries, and bodies with several paragraphs, emphasis, links to
the original and to background reading, a block quote with attribution and now
and then a list or a subheading. About twenty items a day, as in issue 7.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
SEED = 42
START = dt.datetime(2022, 1, 1, 6, 0, tzinfo=dt.UTC)
MINUTES_BETWEEN_ITEMS = 72  # 20 items a day

TOPICS = {
    "geopolitics": "Geopolitics",
    "economy": "Economy",
    "climate": "Climate",
    "technology": "Technology",
    "health": "Health",
}
SUBJECTS = [
    "Ministers",
    "The central bank",
    "Regulators",
    "City council",
    "Researchers",
    "Health officials",
    "Union leaders",
    "The court",
    "Negotiators",
    "Farmers",
    "The grid operator",
    "Parliament",
    "Hospital trusts",
    "Port authorities",
    "Open-source maintainers",
    "Teachers",
]
VERBS = [
    "approve",
    "delay",
    "reject",
    "weigh",
    "back",
    "question",
    "expand",
    "cut",
    "review",
    "extend",
    "pause",
    "fund",
]
OBJECTS = [
    "new climate targets",
    "a rate rise",
    "the harbour expansion",
    "evening clinic hours",
    "a data-sharing pact",
    "heat-pump grants",
    "the fisheries deal",
    "passkey rules",
    "a wage agreement",
    "flood defences",
    "the rail timetable",
    "a vaccine campaign",
    "water prices",
    "school meals",
    "chip subsidies",
    "the ceasefire plan",
]
WORDS = [
    "talks",
    "security",
    "budget",
    "climate",
    "energy",
    "health",
    "clinic",
    "data",
    "market",
    "prices",
    "minister",
    "council",
    "report",
    "study",
    "policy",
    "court",
    "vote",
    "trade",
    "water",
    "schools",
    "grid",
    "port",
    "rail",
    "wages",
    "farms",
    "carbon",
    "hospital",
    "software",
    "border",
    "treaty",
    "survey",
    "inflation",
    "drought",
    "housing",
    "transit",
    "vaccine",
    "research",
    "election",
    "tariff",
]
TAG_STEMS = [
    "NATO",
    "Russia",
    "Ukraine",
    "China",
    "India",
    "Brazil",
    "Kenya",
    "Germany",
    "France",
    "Japan",
    "Mexico",
    "Inflation",
    "Jobs",
    "Housing",
    "Trade",
    "Tariffs",
    "Energy",
    "Wind",
    "Solar",
    "Coal",
    "Wetlands",
    "Fisheries",
    "Water",
    "Drought",
    "Floods",
    "Vaccines",
    "Hospitals",
    "AI",
    "Chips",
    "Passkeys",
    "Privacy",
    "Elections",
    "Courts",
    "Ports",
    "Rail",
    "Schools",
    "Farming",
    "Wages",
    "Unions",
    "Interest rates",
    "Heat pumps",
    "Waiting lists",
    "Mental health",
    "Open source",
    "Data centres",
    "Security guarantees",
]
LABELS = ["news"] * 6 + ["analysis", "analysis", "opinion", "interview", "explainer"]


@dataclass(frozen=True)
class Item:
    """One story, independent of any generator's file format."""

    number: int
    title: str
    slug: str
    date: dt.datetime
    topic: str
    tags: tuple[str, ...]
    source: str
    source_url: str
    summary: str
    label: str
    body: str
    authors: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.date:%Y-%m-%d}-{self.slug}.md"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    """Long-tail popularity: the k-th most used name is used ~1/k as often."""
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def tag_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct tag names: the stems first, then two-word tags."""
    names = list(TAG_STEMS)
    seen = {name.lower() for name in names}
    misses = 0
    while len(names) < count:
        name = f"{rng.choice(TAG_STEMS)} {rng.choice(WORDS)}"
        if misses > 1000:  # two-word names run out near 10,000 tags: number them
            name = f"{name} {len(names)}"
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
            misses = 0
        else:
            misses += 1
    return names[:count]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, k=words)).capitalize() + "."


def _body(rng: random.Random, number: int, source: str) -> str:
    paragraphs = []
    for index in range(rng.randint(3, 6)):
        text = " ".join(_sentence(rng, rng.randint(8, 20)) for _ in range(3))
        if index == 0:
            text += f" [{source} reported it](https://example.com/news/{number})."
        elif rng.random() < 0.4:
            text += (
                f" See *the {rng.choice(WORDS)} study* "
                f"([background](https://example.org/background/{number}-{index}))."
            )
        paragraphs.append(text)
    quote = _sentence(rng, rng.randint(10, 25))
    paragraphs.insert(1, f'> "{quote}"\n\n— {rng.choice(SUBJECTS)}, to {source}')
    if rng.random() < 0.3:
        paragraphs.append("## Context")
        paragraphs.append(
            "\n".join(f"- {_sentence(rng, rng.randint(4, 9))}" for _ in range(3))
        )
    return "\n\n".join(paragraphs) + "\n"


def make_items(count: int, seed: int = SEED) -> list[Item]:
    """The corpus: the same ``count`` items for the same seed, on every machine."""
    rng = random.Random(seed)
    tags = tag_names(max(len(TAG_STEMS), count // 3), rng)
    # Cumulative weights once: the same draws as ``weights=``, without summing
    # 10,000 weights for every tag of every item (32,000 items took minutes).
    tag_weights = list(itertools.accumulate(zipf_weights(len(tags))))
    outlets = [
        f"{name} {kind}"
        for name in ("Harbour", "Capital", "Northern", "Daily", "Open", "Global")
        for kind in ("Times", "Wire", "Post", "Review", "Herald", "News", "Radio")
    ]
    outlet_weights = zipf_weights(len(outlets), 0.9)
    topics = list(TOPICS)
    items = []
    for number in range(count):
        title = (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
            f"after {rng.choice(WORDS)} {rng.choice(WORDS)}"
        )
        source = rng.choices(outlets, outlet_weights)[0]
        picked: list[str] = []
        for _ in range(rng.randint(1, 5)):
            tag = rng.choices(tags, cum_weights=tag_weights)[0]
            if tag not in picked:
                picked.append(tag)
        summary = _sentence(rng, rng.randint(12, 24))
        if rng.random() < 0.5:
            summary += " " + _sentence(rng, rng.randint(8, 16))
        items.append(
            Item(
                number=number,
                title=title,
                slug=f"{slugify(title)}-{number}",
                date=START + dt.timedelta(minutes=MINUTES_BETWEEN_ITEMS * number),
                topic=rng.choice(topics),
                tags=tuple(picked),
                source=source,
                source_url=f"https://example.com/news/{number}",
                summary=summary,
                label=rng.choice(LABELS),
                body=_body(rng, number, source),
                authors=tuple(
                    rng.sample(["A. Writer", "B. Reporter"], rng.randint(0, 2))
                ),
            )
        )
    return items


def edited(item: Item) -> Item:
    """The item after a curator's edit of its body (the "edit one item" scenario)."""
    return replace(item, body=item.body + "\nUpdate: the vote was moved to Friday.\n")


def extra_item(count: int, seed: int = SEED) -> Item:
    """A new item, newer than the last of ``make_items(count)`` (the "add an
    item" scenario)."""
    new = make_items(1, seed + 1)[0]
    return replace(
        new,
        number=count,
        slug=f"{slugify(new.title)}-{count}",
        date=START + dt.timedelta(minutes=MINUTES_BETWEEN_ITEMS * count),
        source_url=f"https://example.com/news/{count}",
    )


# --- Writers: one per generator's file format ------------------------------------


def newsdigest_text(item: Item) -> str:
    front = {
        "title": item.title,
        "date": item.date.isoformat(),
        "topic": item.topic,
        "summary": item.summary,
        "source": item.source,
        "source_url": item.source_url,
        "label": item.label,
        "tags": list(item.tags),
        "slug": item.slug,
    }
    if item.authors:
        front["authors"] = list(item.authors)
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n{item.body}"


def pelican_text(item: Item) -> str:
    """Pelican's own Markdown metadata; the outlet stands in as the author, so
    vanilla Pelican writes a page per source as newsdigest does."""
    return (
        f"Title: {item.title}\n"
        f"Date: {item.date:%Y-%m-%d %H:%M}\n"
        f"Category: {TOPICS[item.topic]}\n"
        f"Tags: {', '.join(item.tags)}\n"
        f"Author: {item.source}\n"
        f"Slug: {item.slug}\n"
        f"Summary: {item.summary}\n\n"
        f"{item.body}"
    )


def hugo_text(item: Item) -> str:
    front = {
        "title": item.title,
        "date": item.date.isoformat(),
        "slug": item.slug,
        "summary": item.summary,
        "topics": [item.topic],
        "tags": list(item.tags),
        "sources": [item.source],
        "source_url": item.source_url,
    }
    dumped = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n{item.body}"


FORMATS = {"newsdigest": newsdigest_text, "pelican": pelican_text, "hugo": hugo_text}
ITEMS_DIR = {
    "newsdigest": "content/items",
    "pelican": "content",
    "hugo": "content/items",
}


def write_item(project: Path, generator: str, item: Item) -> Path:
    path = project / ITEMS_DIR[generator] / item.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FORMATS[generator](item), encoding="utf-8")
    return path


def remove_item(project: Path, generator: str, item: Item) -> None:
    (project / ITEMS_DIR[generator] / item.filename).unlink()


VANILLA_SETTINGS = '''\
"""Vanilla Pelican 4.12, default theme (notmyidea), no plugins: the baseline."""

SITENAME = "Bench Digest"
SITEURL = "https://digest.example.org"
RELATIVE_URLS = False
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = []
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
ARTICLE_URL = "{date:%Y}/{date:%m}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{date:%m}/{slug}/index.html"
CATEGORY_URL = "topics/{slug}/"
CATEGORY_SAVE_AS = "topics/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
AUTHOR_URL = "sources/{slug}/"
AUTHOR_SAVE_AS = "sources/{slug}/index.html"
MONTH_ARCHIVE_SAVE_AS = "archive/{date:%Y}/{date:%m}/index.html"
FEED_MAX_ITEMS = 30
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
CATEGORY_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
CATEGORY_FEED_RSS = "feeds/topics/{slug}.rss.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
TAG_FEED_RSS = "feeds/tags/{slug}.rss.xml"
AUTHOR_FEED_ATOM = None  # newsdigest writes no feed per source by default
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
'''


def make_newsdigest_project(root: Path, items: list[Item]) -> Path:
    """A newsdigest site project: this repository's settings, theme, topics and
    pages, and the corpus as items."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "content" / "pages", root / "content" / "pages")
    shutil.copy(REPO / "content" / "topics.yml", root / "content" / "topics.yml")
    for item in items:
        write_item(root, "newsdigest", item)
    return root


def make_pelican_project(root: Path, items: list[Item]) -> Path:
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "pelicanconf.py").write_text(VANILLA_SETTINGS)
    for item in items:
        write_item(root, "pelican", item)
    return root


def make_hugo_project(root: Path, items: list[Item]) -> Path:
    """A Hugo site with the minimal layouts kept in ``benchmarks/hugo/``."""
    shutil.copytree(Path(__file__).parent / "hugo", root, dirs_exist_ok=True)
    for item in items:
        write_item(root, "hugo", item)
    return root


PROJECTS = {
    "newsdigest": make_newsdigest_project,
    "pelican": make_pelican_project,
    "hugo": make_hugo_project,
}
